package dev.chatstream.homeassistant;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Home Assistant's REST API, the parts chatstream uses: {@code GET /api/} (is it there?), {@code GET /api/states}
 * (the entities), {@code POST /api/template} (their areas) and {@code POST /api/services/<domain>/<service>}.
 * Every request carries {@code Authorization: Bearer <token>}. Thread-safe.
 */
final class HomeAssistantClient {
    /**
     * Renders {entity_id: area name} for every entity that has an area, as JSON. The REST API has no other way
     * to read areas (the registries are on the WebSocket API).
     */
    static final String AREAS_TEMPLATE = "{% set ns = namespace(areas={}) %}{% for s in states %}"
            + "{% set a = area_name(s.entity_id) %}{% if a %}{% set ns.areas = dict(ns.areas, **{s.entity_id: a}) %}"
            + "{% endif %}{% endfor %}{{ ns.areas | tojson }}";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HomeAssistantConfig config;
    private final HttpClient http;

    HomeAssistantClient(HomeAssistantConfig config) {
        this.config = config;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(config.timeout())
                .build();
    }

    /** Checks that Home Assistant answers and accepts the token. */
    void ping() {
        send(request("api/").GET(), "check the connection");
    }

    /** Every entity with its friendly name (areas empty). */
    List<Entity> states() {
        JsonNode body = json(send(request("api/states").GET(), "read the list of devices"), "the list of devices");
        if (!body.isArray()) {
            throw new HomeAssistantException("Home Assistant's /api/states answer is not a list; is "
                    + config.baseUrl() + " a Home Assistant?", 200, null);
        }
        List<Entity> out = new ArrayList<>();
        for (JsonNode s : body) {
            String id = s.path("entity_id").asText("");
            if (!id.contains(".")) {
                continue;
            }
            String name = s.path("attributes").path("friendly_name").asText("");
            out.add(new Entity(id, name.isBlank() ? id : name, ""));
        }
        return out;
    }

    /** Entity id to area name, for the entities that have an area. */
    Map<String, String> areas() {
        String body = send(request("api/template").POST(HttpRequest.BodyPublishers.ofString(
                write(Map.of("template", AREAS_TEMPLATE)))), "read the areas");
        JsonNode node = json(body, "the areas");
        Map<String, String> out = new LinkedHashMap<>();
        node.properties().forEach(e -> {
            if (e.getValue().isTextual()) {
                out.put(e.getKey(), e.getValue().asText());
            }
        });
        return out;
    }

    /** Calls {@code domain.service} with {@code data}; Home Assistant answers once it ran (or after 10 s). */
    void callService(String domain, String service, Map<String, Object> data) {
        send(request("api/services/" + domain + "/" + service).POST(HttpRequest.BodyPublishers.ofString(write(data))),
                "run " + domain + "." + service);
    }

    private HttpRequest.Builder request(String path) {
        String base = config.baseUrl().toString();
        return HttpRequest.newBuilder(URI.create(base.endsWith("/") ? base + path : base + "/" + path))
                .timeout(config.timeout())
                .header("Authorization", "Bearer " + config.token())
                .header("Content-Type", "application/json");
    }

    private String send(HttpRequest.Builder request, String what) {
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpTimeoutException e) {
            throw new HomeAssistantException("Home Assistant at " + config.baseUrl() + " did not answer within "
                    + (config.timeout().toMillis() < 1000 ? config.timeout().toMillis() + " ms"
                    : config.timeout().toSeconds() + " s") + " when asked to " + what, 0, e);
        } catch (ConnectException e) {
            throw new HomeAssistantException("Home Assistant at " + config.baseUrl() + " could not be reached to "
                    + what + " (connection refused): is it running, and is homeassistant.url right?", 0, e);
        } catch (IOException e) {
            throw new HomeAssistantException("Home Assistant at " + config.baseUrl() + " could not be reached to "
                    + what + " (" + e.getClass().getSimpleName() + "): is it running, and is homeassistant.url "
                    + "right?", 0, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HomeAssistantException("Interrupted while asking Home Assistant to " + what, 0, e);
        }
        int status = response.statusCode();
        if (status == 401 || status == 403) {
            throw new HomeAssistantException("Home Assistant refused chatstream's access token (HTTP " + status
                    + ") when asked to " + what + ": create a long-lived access token in Home Assistant (your "
                    + "profile, Security tab) and set homeassistant.token", status, null);
        }
        if (status == 400) {
            throw new HomeAssistantException("Home Assistant refused to " + what + " (HTTP 400: the service does "
                    + "not exist or its data is wrong" + detail(response.body()) + ")", status, null);
        }
        if (status == 404) {
            throw new HomeAssistantException("Home Assistant has no such thing to " + what + " (HTTP 404)", status,
                    null);
        }
        if (status / 100 != 2) {
            throw new HomeAssistantException("Home Assistant failed to " + what + " (HTTP " + status
                    + detail(response.body()) + ")", status, null);
        }
        return response.body();
    }

    private static String detail(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        try {
            JsonNode m = JSON.readTree(body).path("message");
            if (m.isTextual()) {
                return ": " + clip(m.asText());
            }
        } catch (JsonProcessingException e) {
            // plain text, e.g. "400: Bad Request"
        }
        return ": " + clip(body.strip());
    }

    private static String clip(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }

    private JsonNode json(String body, String what) {
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new HomeAssistantException("Home Assistant's answer with " + what + " is not JSON; is "
                    + config.baseUrl() + " a Home Assistant?", 200, e);
        }
    }

    private static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
