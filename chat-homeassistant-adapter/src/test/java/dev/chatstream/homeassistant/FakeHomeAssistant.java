package dev.chatstream.homeassistant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fake Home Assistant: a real HTTP server on a random loopback port answering the REST API as Home Assistant
 * does (developers.home-assistant.io, "REST API"): every {@code /api/} call needs {@code Authorization: Bearer
 * <token>} or gets {@code 401: Unauthorized} as text; {@code GET /api/} says {@code {"message": "API running."}};
 * {@code GET /api/states} lists state objects ({@code entity_id}, {@code state}, {@code attributes.friendly_name},
 * {@code last_changed}); {@code POST /api/template} renders chatstream's areas template (others: 400, as a
 * template error); {@code POST /api/services/<domain>/<service>} changes the entity's state and answers with the
 * changed states, or {@code 400: Bad Request} for a service it does not have. It can be made to fail every
 * call with a status, to answer slowly, or be stopped (connection refused). It records every service call.
 *
 * <p>Users and bans as home-assistant/core has them: {@code /api/template} is an administrator's view
 * ({@code components/api/__init__.py}, {@code requires_auth} and {@code require_admin}), so a
 * {@link #userToken non-administrator's token} gets 401 there; every 401 is a failed login for
 * {@code http/ban.py}, and with {@link #banAfter login_attempts_threshold} set, the client's address is banned
 * after that many: from then on every request answers {@code 403: Forbidden} until Home Assistant restarts with
 * the ban removed from {@code ip_bans.yaml}.
 */
public final class FakeHomeAssistant implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The services this fake has, per domain, and the state each leaves behind (null: unchanged). */
    private static final Map<String, Map<String, String>> SERVICES = Map.of(
            "light", Map.of("turn_on", "on", "turn_off", "off", "toggle", "toggled"),
            "switch", Map.of("turn_on", "on", "turn_off", "off", "toggle", "toggled"),
            "climate", Map.of("set_temperature", "heat", "turn_on", "heat", "turn_off", "off"),
            "lock", Map.of("lock", "locked", "unlock", "unlocked", "open", "open"),
            "cover", Map.of("open_cover", "open", "close_cover", "closed"),
            "alarm_control_panel", Map.of("alarm_disarm", "disarmed", "alarm_arm_away", "armed_away"));

    /** One service call as Home Assistant received it. */
    public record ServiceCall(String domain, String service, JsonNode data) {
    }

    private record State(String entityId, String name, String area, String state) {
    }

    private final java.util.Set<String> hidden = ConcurrentHashMap.newKeySet();

    private final HttpServer server;
    private final String token;
    private final Map<String, State> states = new ConcurrentHashMap<>();
    private final List<String> order = new CopyOnWriteArrayList<>();
    private final List<ServiceCall> calls = new CopyOnWriteArrayList<>();
    private final AtomicInteger stateReads = new AtomicInteger();
    private volatile int failWith;
    private volatile boolean stopping;
    private volatile Duration delay = Duration.ZERO;
    private volatile Duration serviceDelay = Duration.ZERO;
    private volatile boolean areasTemplate = true;
    private volatile String userToken;
    private volatile int banThreshold;
    private final AtomicInteger failedLogins = new AtomicInteger();
    private volatile boolean banned;

    private FakeHomeAssistant(HttpServer server, String token) {
        this.server = server;
        this.token = token;
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    /** Starts a fake that accepts {@code token}. */
    public static FakeHomeAssistant start(String token) {
        try {
            return new FakeHomeAssistant(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    128), token);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the fake Home Assistant", e);
        }
    }

    /** Where it listens, e.g. {@code http://127.0.0.1:40123}. */
    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Adds (or replaces) an entity. */
    public FakeHomeAssistant entity(String entityId, String friendlyName, String area, String state) {
        if (!states.containsKey(entityId)) {
            order.add(entityId);
        }
        states.put(entityId, new State(entityId, friendlyName, area, state));
        return this;
    }

    /** Hides an entity in the entity registry (its "Visible" switch off): {@code is_hidden_entity} is true. */
    public FakeHomeAssistant hidden(String entityId) {
        hidden.add(entityId);
        return this;
    }

    /** From now on every call fails with {@code status} (0: back to normal). */
    public FakeHomeAssistant failWith(int status) {
        this.failWith = status;
        return this;
    }

    /** From now on (true) every call gets the empty 503 Home Assistant answers while it starts or stops. */
    public FakeHomeAssistant stopping(boolean on) {
        this.stopping = on;
        return this;
    }

    /**
     * From now on every service call takes {@code d} (a slow device); Home Assistant finishes it even when the caller
     * gave up, as it has no time limit of its own on service calls.
     */
    public FakeHomeAssistant serviceDelay(Duration d) {
        this.serviceDelay = d;
        return this;
    }

    /** From now on every answer waits {@code d} first. */
    public FakeHomeAssistant delay(Duration d) {
        this.delay = d;
        return this;
    }

    /** Whether {@code POST /api/template} renders areas (an installation may forbid templates). */
    public FakeHomeAssistant areasTemplate(boolean renders) {
        this.areasTemplate = renders;
        return this;
    }

    /** Also accepts {@code token}, a user's who is not an administrator (no templates). */
    public FakeHomeAssistant userToken(String token) {
        this.userToken = token;
        return this;
    }

    /** Bans the client after {@code failedLogins} 401s, as {@code login_attempts_threshold} does (0: never). */
    public FakeHomeAssistant banAfter(int failedLogins) {
        this.banThreshold = failedLogins;
        return this;
    }

    /** How many 401s it answered: the failed logins Home Assistant counted (and notified its users of). */
    public int failedLogins() {
        return failedLogins.get();
    }

    /** Whether the client is banned. */
    public boolean banned() {
        return banned;
    }

    /** The state of an entity now, e.g. {@code locked}. */
    public String state(String entityId) {
        return states.get(entityId).state();
    }

    /** Every service call received, in order. */
    public List<ServiceCall> calls() {
        return List.copyOf(calls);
    }

    /** How many times {@code /api/states} was read. */
    public int stateReads() {
        return stateReads.get();
    }

    /** Stops listening: from now on connections are refused. */
    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            if (!delay.isZero()) {
                Thread.sleep(delay);
            }
            String path = x.getRequestURI().getPath();
            byte[] body = x.getRequestBody().readAllBytes();
            if (banned) {
                text(x, 403, "403: Forbidden");
                return;
            }
            if (stopping) {
                x.sendResponseHeaders(503, -1); // no body at all
                return;
            }
            String auth = x.getRequestHeaders().getFirst("Authorization");
            boolean admin = ("Bearer " + token).equals(auth);
            boolean user = userToken != null && ("Bearer " + userToken).equals(auth);
            if (!admin && !user || !admin && path.equals("/api/template")) {
                unauthorized(x);
                return;
            }
            if (failWith != 0) {
                text(x, failWith, failWith + ": Internal Server Error");
                return;
            }
            String method = x.getRequestMethod();
            if (method.equals("GET") && path.equals("/api/")) {
                json(x, 200, Map.of("message", "API running."));
            } else if (method.equals("GET") && path.equals("/api/states")) {
                stateReads.incrementAndGet();
                ArrayNode out = JSON.createArrayNode();
                for (String id : order) {
                    out.add(stateJson(states.get(id)));
                }
                json(x, 200, out);
            } else if (method.equals("GET") && path.startsWith("/api/states/")) {
                // one entity's state object, or 404 {"message": "Entity not found."} (components/api/__init__.py)
                State one = states.get(path.substring("/api/states/".length()));
                if (one == null) {
                    json(x, 404, Map.of("message", "Entity not found."));
                } else {
                    json(x, 200, stateJson(one));
                }
            } else if (method.equals("POST") && path.equals("/api/template")) {
                String template = JSON.readTree(body).path("template").asText();
                if (!areasTemplate || !template.equals(HomeAssistantClient.AREAS_TEMPLATE)) {
                    json(x, 400, Map.of("message", "Error rendering template: TemplateError"));
                    return;
                }
                ObjectNode rendered = JSON.createObjectNode();
                ObjectNode areas = rendered.putObject("areas");
                order.stream().map(states::get).filter(s -> !s.area().isEmpty())
                        .forEach(s -> areas.put(s.entityId(), s.area()));
                ArrayNode hiddenIds = rendered.putArray("hidden");
                order.stream().filter(hidden::contains).forEach(hiddenIds::add);
                text(x, 200, JSON.writeValueAsString(rendered));
            } else if (method.equals("POST") && path.startsWith("/api/services/")) {
                service(x, path.substring("/api/services/".length()).split("/"), body);
            } else {
                text(x, 404, "404: Not Found");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A 401, counted as a failed login; the threshold's one bans (home-assistant/core http/ban.py). */
    private void unauthorized(HttpExchange x) throws IOException {
        int failed = failedLogins.incrementAndGet();
        if (banThreshold > 0 && failed >= banThreshold) {
            banned = true;
        }
        text(x, 401, "401: Unauthorized");
    }

    private void service(HttpExchange x, String[] parts, byte[] body) throws IOException, InterruptedException {
        if (!serviceDelay.isZero()) {
            Thread.sleep(serviceDelay);
        }
        if (parts.length != 2 || !SERVICES.getOrDefault(parts[0], Map.of()).containsKey(parts[1])) {
            text(x, 400, "400: Bad Request"); // ServiceNotFound
            return;
        }
        JsonNode data = body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
        calls.add(new ServiceCall(parts[0], parts[1], data));
        ArrayNode changed = JSON.createArrayNode();
        String id = data.path("entity_id").asText("");
        State s = states.get(id);
        if (s != null) {
            State now = new State(s.entityId(), s.name(), s.area(), SERVICES.get(parts[0]).get(parts[1]));
            states.put(id, now);
            changed.add(stateJson(now));
        }
        json(x, 200, changed);
    }

    private static ObjectNode stateJson(State s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("entity_id", s.entityId());
        o.put("state", s.state());
        o.putObject("attributes").put("friendly_name", s.name());
        o.put("last_changed", "2026-11-24T10:00:00.000000+00:00");
        o.put("last_updated", "2026-11-24T10:00:00.000000+00:00");
        o.putObject("context").put("id", "01JFAKE").putNull("parent_id").putNull("user_id");
        return o;
    }

    private static void json(HttpExchange x, int status, Object body) throws IOException {
        x.getResponseHeaders().set("Content-Type", "application/json");
        send(x, status, JSON.writeValueAsBytes(body));
    }

    private static void text(HttpExchange x, int status, String body) throws IOException {
        x.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        send(x, status, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange x, int status, byte[] bytes) throws IOException {
        x.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(bytes);
        }
    }

}
