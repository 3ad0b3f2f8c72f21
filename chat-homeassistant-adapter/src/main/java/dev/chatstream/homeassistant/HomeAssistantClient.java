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
 * Every request carries {@code Authorization: Bearer <token>}.
 *
 * <p>Home Assistant counts every 401 as a failed login (home-assistant/core {@code http/ban.py}): its users get a
 * "login attempt failed" notification, and with {@code login_attempts_threshold} set the caller's address is
 * banned (then every call answers 403). So after a 401 or 403 this client makes no call at all for
 * {@link #FIRST_BACKOFF}, doubling up to {@link #MAX_BACKOFF} while the refusals go on, and answers every call
 * meanwhile with the refusal; a 401 from {@code /api/template} (administrators only, {@code require_admin} in
 * {@code components/api/__init__.py}) stops only the area reads, for good. Thread-safe.
 */
final class HomeAssistantClient {
    /**
     * Renders {@code {"areas": {entity_id: area name}, "hidden": [entity_id...]}} as JSON: the area of every
     * entity that has one, and the entities hidden in the entity registry ({@code is_hidden_entity}), which Home
     * Assistant never exposes to its own assistants by default. The REST API has no other way to read either
     * (the registries are on the WebSocket API).
     */
    static final String AREAS_TEMPLATE = "{% set ns = namespace(areas={}, hidden=[]) %}{% for s in states %}"
            + "{% set a = area_name(s.entity_id) %}{% if a %}{% set ns.areas = dict(ns.areas, **{s.entity_id: a}) %}"
            + "{% endif %}{% if is_hidden_entity(s.entity_id) %}{% set ns.hidden = ns.hidden + [s.entity_id] %}"
            + "{% endif %}{% endfor %}{{ {\"areas\": ns.areas, \"hidden\": ns.hidden} | tojson }}";

    /** What the registries say, as far as a template can read them. */
    record Registry(Map<String, String> areas, java.util.Set<String> hidden) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** How long no call is made after the first refusal. */
    static final java.time.Duration FIRST_BACKOFF = java.time.Duration.ofMinutes(5);
    /** The longest pause between two tries while Home Assistant keeps refusing. */
    static final java.time.Duration MAX_BACKOFF = java.time.Duration.ofHours(1);

    private final HomeAssistantConfig config;
    private final HttpClient http;
    private final java.util.function.LongSupplier nanos;
    private final Object gate = new Object();
    /** The last refusal while calls are paused; null when calls go through. */
    private HomeAssistantException refusal;
    private long pausedUntil;
    private int refusals;
    private volatile HomeAssistantException templatesRefused;

    HomeAssistantClient(HomeAssistantConfig config) {
        this(config, System::nanoTime);
    }

    HomeAssistantClient(HomeAssistantConfig config, java.util.function.LongSupplier nanos) {
        this.config = config;
        this.nanos = nanos;
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

    /** The state of one entity now ({@code GET /api/states/<entity_id>}), e.g. {@code on}. */
    String state(String entityId) {
        return json(send(request("api/states/" + entityId).GET(), "read the state of " + entityId),
                "the state of " + entityId).path("state").asText("");
    }

    /** Entity id to area name, for the entities that have an area, and the hidden entities. */
    Registry registry() {
        HomeAssistantException refused = templatesRefused;
        if (refused != null) {
            throw refused;
        }
        String body;
        try {
            body = send(request("api/template").POST(HttpRequest.BodyPublishers.ofString(
                    write(Map.of("template", AREAS_TEMPLATE)))), "read the areas", true);
        } catch (HomeAssistantException e) {
            if (e.status() == 401) {
                templatesRefused = e;
            }
            throw e;
        }
        JsonNode node = json(body, "the areas");
        Map<String, String> areas = new LinkedHashMap<>();
        node.path("areas").properties().forEach(e -> {
            if (e.getValue().isTextual()) {
                areas.put(e.getKey(), e.getValue().asText());
            }
        });
        java.util.Set<String> hidden = new java.util.HashSet<>();
        node.path("hidden").forEach(id -> hidden.add(id.asText()));
        return new Registry(areas, java.util.Set.copyOf(hidden));
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
        return send(request, what, false);
    }

    /** @param adminOnly the path is an administrator's: a 401 there means "not an administrator", not a bad token */
    private String send(HttpRequest.Builder request, String what, boolean adminOnly) {
        synchronized (gate) {
            if (refusal != null && nanos.getAsLong() - pausedUntil < 0) {
                throw new HomeAssistantException(refusal.getMessage(), refusal.status(), null);
            }
        }
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
        if (status == 401 && adminOnly) {
            throw new HomeAssistantException("Home Assistant answered 401 when asked to " + what + ": only an "
                    + "administrator's token may render templates, and chatstream's token is not one; areas come from "
                    + "the stored home context (chatstream does not ask again: each refusal counts as a failed login "
                    + "in Home Assistant)", status, null);
        }
        if (status == 401 || status == 403) {
            throw refused(status, what);
        }
        synchronized (gate) {
            refusal = null;
            refusals = 0;
        }
        if (status == 400) {
            throw new HomeAssistantException("Home Assistant refused to " + what + " (HTTP 400: the service does "
                    + "not exist or its data is wrong" + detail(response.body()) + ")", status, null);
        }
        if (status == 404) {
            throw new HomeAssistantException("Home Assistant has no such thing to " + what + " (HTTP 404)", status,
                    null);
        }
        if (status == 503 && (response.body() == null || response.body().isBlank())) {
            // what Home Assistant answers while it starts or stops (home-assistant/core http: an empty 503)
            throw new HomeAssistantException("Home Assistant is starting or stopping (HTTP 503) and could not " + what
                    + "; try again in a moment", status, null);
        }
        if (status / 100 != 2) {
            throw new HomeAssistantException("Home Assistant failed to " + what + " (HTTP " + status
                    + detail(response.body()) + ")", status, null);
        }
        return response.body();
    }

    /** Pauses every call after a refusal, for longer each time it repeats. */
    private HomeAssistantException refused(int status, String what) {
        synchronized (gate) {
            refusals++;
            java.time.Duration pause = FIRST_BACKOFF.multipliedBy(1L << Math.min(refusals - 1, 10));
            if (pause.compareTo(MAX_BACKOFF) > 0) {
                pause = MAX_BACKOFF;
            }
            String why = status == 401
                    ? "Home Assistant refused chatstream's access token (HTTP 401) when asked to " + what
                            + ": create a long-lived access token in Home Assistant (your profile, Security tab) and "
                            + "set homeassistant.token"
                    : "Home Assistant refused chatstream (HTTP 403) when asked to " + what + ": Home Assistant bans "
                            + "an address after failed logins (http: login_attempts_threshold); if this server's "
                            + "address is in ip_bans.yaml in Home Assistant's configuration directory, remove it and "
                            + "restart Home Assistant, and check homeassistant.token";
            refusal = new HomeAssistantException(why + ". chatstream makes no call to Home Assistant for the next "
                    + pause.toMinutes() + " min (each refused call counts there as a failed login), or until it "
                    + "restarts", status, null);
            pausedUntil = nanos.getAsLong() + pause.toNanos();
            return refusal;
        }
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
