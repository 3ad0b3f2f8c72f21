package dev.chatstream.http;

import dev.chatstream.core.Json;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.lang.System.Logger.Level;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns every failure of a non-streaming answer into {@code {"error", "code"}} JSON with a fitting status:
 * ours as they are, Jersey's (404, 405, 406...) with a generic message, anything else as a 500 whose
 * details stay in the log. No stack trace or library message reaches a client.
 */
final class ErrorMappers {
    private static final System.Logger LOG = System.getLogger(ErrorMappers.class.getName());

    private ErrorMappers() {
    }

    static Response toResponse(ApiException e, java.util.Optional<String> requestId) {
        Response.ResponseBuilder r = Response.status(e.status())
                .type(MediaType.APPLICATION_JSON_TYPE.withCharset("UTF-8"))
                .entity(body(e.getMessage(), e.code(), requestId));
        e.headers().forEach(r::header);
        return r.build();
    }

    static String body(String message, String code, java.util.Optional<String> requestId) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", message);
        m.put("code", code);
        requestId.ifPresent(id -> m.put("request_id", id));
        return Json.write(m);
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER =
            new com.fasterxml.jackson.databind.ObjectMapper();

    /** {@code body}, one of our error bodies without a request id, with {@code requestId}; empty for any other. */
    static java.util.Optional<String> withRequestId(String body, String requestId) {
        if (!body.startsWith("{\"error\": ") || body.contains("\"request_id\"")) {
            return java.util.Optional.empty();
        }
        try {
            com.fasterxml.jackson.databind.JsonNode node = MAPPER.readTree(body);
            if (!node.isObject() || !node.has("error") || !node.has("code")) {
                return java.util.Optional.empty();
            }
            return java.util.Optional.of(body(node.get("error").asText(), node.get("code").asText(),
                    java.util.Optional.of(requestId)));
        } catch (java.io.IOException e) {
            return java.util.Optional.empty();
        }
    }

    /** {@code body}, one of our error bodies, as OpenAI's {@code {"error": {"message", "type", "param", "code"}}}. */
    static java.util.Optional<String> inOpenAiShape(String body, int status) {
        if (!body.startsWith("{\"error\": \"")) {
            return java.util.Optional.empty();
        }
        try {
            com.fasterxml.jackson.databind.JsonNode node = MAPPER.readTree(body);
            if (!node.path("error").isTextual() || !node.path("code").isTextual()) {
                return java.util.Optional.empty();
            }
            return java.util.Optional.of(OpenAiWire.error(node.get("error").asText(), OpenAiWire.type(status),
                    node.get("code").asText()));
        } catch (java.io.IOException e) {
            return java.util.Optional.empty();
        }
    }

    /** Our own errors. */
    static final class Api implements ExceptionMapper<ApiException> {
        @Override
        public Response toResponse(ApiException e) {
            return ErrorMappers.toResponse(e, java.util.Optional.empty());
        }
    }

    /** Core's failures from the JSON endpoints (a store that is down, a bad memory). */
    static final class Chat implements ExceptionMapper<dev.chatstream.core.ChatException> {
        @Override
        public Response toResponse(dev.chatstream.core.ChatException e) {
            return ErrorMappers.toResponse(ApiException.of(e), java.util.Optional.empty());
        }
    }

    /** Jersey's: unknown path, wrong method, unacceptable type. */
    static final class Web implements ExceptionMapper<WebApplicationException> {
        @Override
        public Response toResponse(WebApplicationException e) {
            int status = e.getResponse().getStatus();
            ApiException api = switch (status) {
                case 404 -> new ApiException(404, "not_found", "There is nothing at this path; see docs/api.md");
                case 405 -> new ApiException(405, "method_not_allowed",
                        "This path does not accept this method; see docs/api.md");
                case 406 -> new ApiException(406, "not_acceptable", "This path cannot answer in the type asked "
                        + "for in Accept");
                case 415 -> new ApiException(415, "unsupported_media_type",
                        "Send the body as JSON with Content-Type: application/json");
                default -> status >= 500
                        ? new ApiException(500, "internal_error",
                                "Something went wrong in chatstream; the server log has the details")
                        : new ApiException(status, "invalid_request", "The request was not understood");
            };
            if (status >= 500) {
                LOG.log(Level.ERROR, "A request failed", e);
            }
            Response response = ErrorMappers.toResponse(api, java.util.Optional.empty());
            if (status == 405) {
                Object allow = e.getResponse().getHeaders().getFirst("Allow");
                if (allow != null) {
                    return Response.fromResponse(response).header("Allow", allow).build();
                }
            }
            return response;
        }
    }

    /** Bugs: a 500 with the details in the log only. */
    static final class Unexpected implements ExceptionMapper<Throwable> {
        @Override
        public Response toResponse(Throwable e) {
            LOG.log(Level.ERROR, "A request failed", e);
            return ErrorMappers.toResponse(new ApiException(500, "internal_error",
                    "Something went wrong in chatstream; the server log has the details"), java.util.Optional.empty());
        }
    }
}
