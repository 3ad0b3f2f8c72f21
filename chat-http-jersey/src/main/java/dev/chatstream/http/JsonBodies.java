package dev.chatstream.http;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import jakarta.ws.rs.container.ContainerRequestContext;
import java.io.IOException;

/**
 * Reads JSON request bodies: bounded in size (413 past the limit, before reading it all) and in time (408 when
 * the whole body has not arrived within {@code limits.body.seconds}, so a client trickling a byte at a time cannot
 * hold a worker), parsed strictly (duplicate keys refused), every refusal a 400 in our own words. Jackson's
 * messages never reach a client.
 */
final class JsonBodies {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private JsonBodies() {
    }

    /**
     * The raw body, at most {@link HttpConfig#maxBodyBytes()}, read within {@link HttpConfig#bodyTimeout()} (a
     * single read waits at most that long too: the transport's read timeout is the same).
     */
    static byte[] bytes(ContainerRequestContext context, HttpConfig config) {
        int maxBytes = config.maxBodyBytes();
        if (context.getLength() > maxBytes) {
            throw tooLarge(maxBytes);
        }
        long deadline = System.nanoTime() + config.bodyTimeout().toNanos();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(Math.max(0, Math.min(
                context.getLength(), maxBytes)));
        byte[] buffer = new byte[8192];
        try {
            java.io.InputStream in = context.getEntityStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                if (out.size() > maxBytes) {
                    throw tooLarge(maxBytes);
                }
                if (System.nanoTime() - deadline > 0) {
                    throw tooSlow(config);
                }
            }
            return out.toByteArray();
        } catch (IOException e) {
            if (System.nanoTime() - deadline > 0 || e instanceof java.io.InterruptedIOException
                    || e.getCause() instanceof java.util.concurrent.TimeoutException) {
                throw tooSlow(config);
            }
            throw invalid("The body could not be read");
        }
    }

    /** The body as a JSON object. */
    static JsonNode object(ContainerRequestContext context, HttpConfig config, String example) {
        JsonNode root = tree(bytes(context, config), example);
        if (!root.isObject()) {
            throw invalid("The body must be a JSON object such as " + example);
        }
        return root;
    }

    /** The body as JSON; {@code example} shows the expected shape in the message for an empty body. */
    static JsonNode tree(byte[] body, String example) {
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (JsonParseException e) {
            java.util.Optional<String> duplicate = duplicateField(e);
            if (duplicate.isPresent()) {
                throw invalid("The body has the field " + duplicate.get() + " twice; send each field once");
            }
            if (e.getMessage() != null && e.getMessage().contains("UTF")) {
                throw invalid("The body is not valid UTF-8; send JSON encoded as UTF-8");
            }
            throw invalid("The body is not valid JSON (near line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")");
        } catch (JsonProcessingException e) {
            throw invalid("The body is not valid JSON");
        } catch (IOException e) {
            throw invalid("The body is not valid UTF-8 JSON");
        }
        if (root == null || root.isMissingNode()) {
            throw invalid("The body is empty; send " + example);
        }
        return root;
    }

    /**
     * The name in Jackson's "Duplicate field 'name'" (its message never reaches a client: only a name made of
     * letters, digits, '_' and '-', quoted, at most 64 characters; anything else is "a field").
     */
    private static java.util.Optional<String> duplicateField(JsonParseException e) {
        String m = e.getOriginalMessage();
        if (m == null || !m.startsWith("Duplicate field '")) {
            return java.util.Optional.empty();
        }
        int end = m.indexOf('\'', 17);
        String name = end < 0 ? "" : m.substring(17, end);
        return java.util.Optional.of(name.matches("[A-Za-z0-9_-]{1,64}") ? "\"" + name + "\"" : "a field");
    }

    /**
     * The boolean field {@code field} of {@code object}, {@code absent} when it is missing or null; 400 naming it as
     * {@code named} (e.g. {@code stream_options.include_usage}) when it is not true or false.
     */
    static boolean bool(JsonNode object, String field, String named, boolean absent) {
        JsonNode node = object.get(field);
        if (node == null || node.isNull()) {
            return absent;
        }
        if (!node.isBoolean()) {
            throw invalid(named + " must be true or false");
        }
        return node.booleanValue();
    }

    /** {@link #bool(JsonNode, String, String, boolean)} named as it is, false when absent. */
    static boolean bool(JsonNode object, String field) {
        return bool(object, field, field, false);
    }

    static ApiException invalid(String message) {
        return new ApiException(400, "invalid_request", message);
    }

    private static ApiException tooSlow(HttpConfig config) {
        return new ApiException(408, "request_timeout", "The body did not arrive within "
                + config.bodyTimeout().toSeconds() + " s (limits.body.seconds); send it again",
                java.util.Map.of("Connection", "close"));
    }

    static ApiException tooLarge(int maxBytes) {
        return new ApiException(413, "payload_too_large", "The body is larger than " + maxBytes
                + " bytes; send less");
    }
}
