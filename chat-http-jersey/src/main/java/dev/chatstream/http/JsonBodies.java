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
 * Reads JSON request bodies: bounded in size (413 past the limit, before reading it all), parsed strictly
 * (duplicate keys refused), every refusal a 400 in our own words. Jackson's messages never reach a client.
 */
final class JsonBodies {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private JsonBodies() {
    }

    /** The raw body, at most {@code maxBytes}. */
    static byte[] bytes(ContainerRequestContext context, int maxBytes) {
        if (context.getLength() > maxBytes) {
            throw tooLarge(maxBytes);
        }
        try {
            byte[] bytes = context.getEntityStream().readNBytes(maxBytes + 1);
            if (bytes.length > maxBytes) {
                throw tooLarge(maxBytes);
            }
            return bytes;
        } catch (IOException e) {
            throw invalid("The body could not be read");
        }
    }

    /** The body as a JSON object. */
    static JsonNode object(ContainerRequestContext context, int maxBytes, String example) {
        JsonNode root = tree(bytes(context, maxBytes), example);
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

    static ApiException invalid(String message) {
        return new ApiException(400, "invalid_request", message);
    }

    private static ApiException tooLarge(int maxBytes) {
        return new ApiException(413, "payload_too_large", "The body is larger than " + maxBytes
                + " bytes; send less");
    }
}
