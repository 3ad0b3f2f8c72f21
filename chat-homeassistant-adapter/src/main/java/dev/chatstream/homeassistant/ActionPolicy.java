package dev.chatstream.homeassistant;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What chatstream may do in a Home Assistant installation. Model output is untrusted, so everything not listed
 * here is refused:
 * <ul>
 *   <li>{@code expose}: entity id patterns ({@code light.*}, {@code lock.porta}) the model sees and may act on;
 *   <li>{@code allow}: per domain, the services anyone may run ({@code "light": ["turn_on", "turn_off"]});
 *   <li>{@code users}: per user, an allow-list that replaces {@code allow} for that user;
 *   <li>{@code args}: per service ({@code "climate.set_temperature"}), the arguments it may carry besides
 *       {@code entity_id}, each with its bounds; a service not listed takes none;
 *   <li>{@code confirm}: domains whose actions wait for the user's confirmation, except entities matching
 *       {@code no_confirm};
 *   <li>{@code high_impact}: domains (locks, covers, alarm panels) whose actions only the users named in
 *       {@code high_impact_users} may ask for, and always with confirmation.
 * </ul>
 * Read from a JSON file ({@link #fromFile}); {@link #defaults()} is {@code default-policy.json} in this jar.
 * A file without {@code high_impact} gets the default's list: leaving it out never makes a lock an everyday
 * device.
 *
 * @param expose          entity id patterns; {@code *} matches any run of characters
 * @param allow           domain to services, for every user not in {@code users}
 * @param users           user name to that user's own domain-to-services allow-list
 * @param args            {@code domain.service} to argument name to its rule
 * @param confirm         domains whose actions wait for confirmation
 * @param noConfirm       entity id patterns in {@code confirm} domains that run at once
 * @param highImpact      domains only {@code highImpactUsers} may act in, always with confirmation
 * @param highImpactUsers user names who may ask for high-impact actions
 */
public record ActionPolicy(List<String> expose, Map<String, Set<String>> allow,
        Map<String, Map<String, Set<String>>> users, Map<String, Map<String, Arg>> args, Set<String> confirm,
        List<String> noConfirm, Set<String> highImpact, Set<String> highImpactUsers) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NAME = Pattern.compile("[a-z0-9_]+");
    private static final Pattern SERVICE = Pattern.compile("[a-z0-9_]+\\.[a-z0-9_]+");
    private static final Pattern EXPOSE = Pattern.compile("[a-z0-9_*]+\\.[a-z0-9_*]+");
    private static final List<String> KEYS = List.of("expose", "allow", "users", "args", "confirm", "no_confirm",
            "high_impact", "high_impact_users");
    /** What a file without {@code high_impact} gets. */
    private static final Set<String> DEFAULT_HIGH_IMPACT = Set.of("lock", "cover", "alarm_control_panel");
    private static final ActionPolicy DEFAULTS = loadDefaults();

    /** The rule for one argument of one service. */
    public sealed interface Arg {
        /**
         * Why {@code value} breaks this rule, for people; empty when it is fine.
         *
         * @param value a plain value from an {@link dev.chatstream.core.Action}'s arguments
         */
        Optional<String> problem(Object value);

        /** A number from {@code min} to {@code max}, both included. */
        record Range(double min, double max) implements Arg {
            public Range {
                if (!(min <= max)) {
                    throw new IllegalArgumentException("min " + min + " is above max " + max);
                }
            }

            @Override
            public Optional<String> problem(Object value) {
                double v;
                if (value instanceof Long l) {
                    v = l;
                } else if (value instanceof Double d) {
                    v = d;
                } else {
                    return Optional.of("must be a number from " + shown(min) + " to " + shown(max));
                }
                return v >= min && v <= max ? Optional.empty()
                        : Optional.of("must be from " + shown(min) + " to " + shown(max));
            }

            private static String shown(double d) {
                return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
            }
        }

        /** One of a few strings. */
        record OneOf(Set<String> values) implements Arg {
            public OneOf {
                values = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(values));
            }

            @Override
            public Optional<String> problem(Object value) {
                return value instanceof String s && values.contains(s) ? Optional.empty()
                        : Optional.of("must be one of " + String.join(", ", values));
            }
        }

        /** {@code true} or {@code false}. */
        record Flag() implements Arg {
            @Override
            public Optional<String> problem(Object value) {
                return value instanceof Boolean ? Optional.empty() : Optional.of("must be true or false");
            }
        }
    }

    public ActionPolicy {
        expose = List.copyOf(expose);
        allow = copy(allow);
        Map<String, Map<String, Set<String>>> u = new LinkedHashMap<>();
        users.forEach((name, list) -> u.put(name, copy(list)));
        users = java.util.Collections.unmodifiableMap(u);
        Map<String, Map<String, Arg>> a = new LinkedHashMap<>();
        args.forEach((service, rules) -> a.put(service,
                java.util.Collections.unmodifiableMap(new LinkedHashMap<>(rules))));
        args = java.util.Collections.unmodifiableMap(a);
        confirm = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(confirm));
        noConfirm = List.copyOf(noConfirm);
        highImpact = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(highImpact));
        highImpactUsers = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(highImpactUsers));
        for (String p : expose) {
            checkPattern(p, "expose");
        }
        for (String p : noConfirm) {
            checkPattern(p, "no_confirm");
        }
        for (String service : args.keySet()) {
            if (!SERVICE.matcher(service).matches()) {
                throw new IllegalArgumentException("\"args\" has \"" + service + "\"; write services such as "
                        + "\"climate.set_temperature\"");
            }
        }
    }

    /**
     * The policy that ships with chatstream: lights, switches, fans, climate, media players, scenes, covers and
     * locks exposed; everyday services allowed, with bounded arguments; switches and scenes only with
     * confirmation; covers, locks and alarm panels for nobody until the policy names who may ask for them.
     */
    public static ActionPolicy defaults() {
        return DEFAULTS;
    }

    /**
     * Reads a policy file.
     *
     * @throws IllegalArgumentException naming the file and what is wrong in it
     */
    public static ActionPolicy fromFile(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read the Home Assistant policy file " + file.toAbsolutePath()
                    + " (" + e.getClass().getSimpleName() + "): check the path and its permissions", e);
        }
        try {
            return parse(bytes);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("The Home Assistant policy file " + file.toAbsolutePath()
                    + " is not valid: " + e.getMessage(), e);
        }
    }

    /**
     * Reads a policy from JSON.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static ActionPolicy parse(byte[] json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("it is not JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("it must be a JSON object with \"expose\", \"allow\", \"users\", "
                    + "\"args\", \"confirm\", \"no_confirm\", \"high_impact\" and \"high_impact_users\"");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown key \"" + key + "\"; the keys are "
                        + String.join(", ", KEYS));
            }
        }
        Map<String, Map<String, Set<String>>> users = new LinkedHashMap<>();
        JsonNode u = root.path("users");
        if (!u.isMissingNode() && !u.isObject()) {
            throw new IllegalArgumentException("\"users\" must be an object of user name to allow-list");
        }
        u.properties().forEach(e -> users.put(e.getKey(), domains(e.getValue(), "users." + e.getKey())));
        JsonNode highImpact = root.path("high_impact");
        return new ActionPolicy(strings(root.path("expose"), "expose", false),
                domains(root.path("allow"), "allow"), users, args(root.path("args")),
                new LinkedHashSet<>(strings(root.path("confirm"), "confirm", true)),
                strings(root.path("no_confirm"), "no_confirm", false),
                highImpact.isMissingNode() ? DEFAULT_HIGH_IMPACT
                        : new LinkedHashSet<>(strings(highImpact, "high_impact", true)),
                new LinkedHashSet<>(strings(root.path("high_impact_users"), "high_impact_users", false)));
    }

    /** Whether the model may see and act on {@code entityId}. */
    public boolean exposes(String entityId) {
        for (String p : expose) {
            if (glob(p).matcher(entityId).matches()) {
                return true;
            }
        }
        return false;
    }

    /** The services {@code user} may run in {@code domain}; empty when none. */
    public Set<String> allowed(String user, String domain) {
        return users.getOrDefault(user, allow).getOrDefault(domain, Set.of());
    }

    /**
     * Whether an action on {@code entityId} in {@code domain} waits for the user's confirmation: always in a
     * high-impact domain, and in a {@code confirm} domain unless {@code no_confirm} names the entity.
     */
    public boolean needsConfirmation(String domain, String entityId) {
        if (highImpact.contains(domain)) {
            return true;
        }
        return confirm.contains(domain) && noConfirm.stream().noneMatch(p -> glob(p).matcher(entityId).matches());
    }

    /** Whether {@code domain} is high-impact and {@code user} is not named in {@code high_impact_users}. */
    public boolean withholds(String user, String domain) {
        return highImpact.contains(domain) && !highImpactUsers.contains(user);
    }

    /**
     * Why the arguments {@code given} (besides domain, service and entity id) are not allowed for
     * {@code domain.service}, for people; empty when every one is listed in {@code args} and within its bounds.
     */
    public Optional<String> argumentProblem(String domain, String service, Map<String, Object> given) {
        Map<String, Arg> rules = args.getOrDefault(domain + "." + service, Map.of());
        for (Map.Entry<String, Object> e : given.entrySet()) {
            Arg rule = rules.get(e.getKey());
            if (rule == null) {
                return Optional.of(domain + "." + service + " may not carry \"" + clip(e.getKey()) + "\" ("
                        + (rules.isEmpty() ? "it takes no arguments here" : "it may carry "
                        + String.join(", ", rules.keySet())) + "); an administrator can change this in the Home "
                        + "Assistant policy's \"args\"");
            }
            Optional<String> problem = rule.problem(e.getValue());
            if (problem.isPresent()) {
                return Optional.of(domain + "." + service + ": \"" + e.getKey() + "\" " + problem.get() + "; got "
                        + clip(String.valueOf(e.getValue())));
            }
        }
        return Optional.empty();
    }

    private static String clip(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }

    private static void checkPattern(String p, String where) {
        if (!EXPOSE.matcher(p).matches()) {
            throw new IllegalArgumentException("\"" + where + "\" has \"" + p + "\"; write entity ids or patterns "
                    + "such as \"light.*\" or \"lock.porta\"");
        }
    }

    private static Map<String, Map<String, Arg>> args(JsonNode node) {
        if (node.isMissingNode()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("\"args\" must be an object of service to its arguments, e.g. "
                    + "{\"climate.set_temperature\": {\"temperature\": {\"min\": 7, \"max\": 30}}}");
        }
        Map<String, Map<String, Arg>> out = new LinkedHashMap<>();
        node.properties().forEach(service -> {
            String where = "args." + service.getKey();
            if (!service.getValue().isObject()) {
                throw new IllegalArgumentException("\"" + where + "\" must be an object of argument name to rule");
            }
            Map<String, Arg> rules = new LinkedHashMap<>();
            service.getValue().properties().forEach(arg -> rules.put(arg.getKey(),
                    arg(arg.getValue(), where + "." + arg.getKey())));
            out.put(service.getKey(), rules);
        });
        return out;
    }

    private static Arg arg(JsonNode rule, String where) {
        String shape = "\"" + where + "\" must be {\"min\": <number>, \"max\": <number>}, {\"one_of\": "
                + "[<strings>]} or {\"boolean\": true}";
        if (!rule.isObject()) {
            throw new IllegalArgumentException(shape);
        }
        Set<String> keys = new LinkedHashSet<>();
        rule.fieldNames().forEachRemaining(keys::add);
        if (keys.equals(Set.of("min", "max")) && rule.get("min").isNumber() && rule.get("max").isNumber()) {
            try {
                return new Arg.Range(rule.get("min").asDouble(), rule.get("max").asDouble());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("\"" + where + "\": " + e.getMessage());
            }
        }
        if (keys.equals(Set.of("one_of")) && rule.get("one_of").isArray() && !rule.get("one_of").isEmpty()) {
            return new Arg.OneOf(new LinkedHashSet<>(strings(rule.get("one_of"), where + ".one_of", false)));
        }
        if (keys.equals(Set.of("boolean")) && rule.get("boolean").asBoolean(false)) {
            return new Arg.Flag();
        }
        throw new IllegalArgumentException(shape);
    }

    private static Pattern glob(String pattern) {
        return Pattern.compile(Pattern.quote(pattern).replace("*", "\\E.*\\Q"));
    }

    private static Map<String, Set<String>> domains(JsonNode node, String where) {
        if (node.isMissingNode()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("\"" + where + "\" must be an object of domain to services, "
                    + "e.g. {\"light\": [\"turn_on\", \"turn_off\"]}");
        }
        Map<String, Set<String>> out = new LinkedHashMap<>();
        node.properties().forEach(e -> {
            if (!NAME.matcher(e.getKey()).matches()) {
                throw new IllegalArgumentException("\"" + where + "\" has the domain \"" + e.getKey()
                        + "\"; domains are lower-case names such as light");
            }
            out.put(e.getKey(), new LinkedHashSet<>(strings(e.getValue(), where + "." + e.getKey(), true)));
        });
        return out;
    }

    private static List<String> strings(JsonNode node, String where, boolean names) {
        if (node.isMissingNode()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new IllegalArgumentException("\"" + where + "\" must be a list of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode v : node) {
            if (!v.isTextual() || (names && !NAME.matcher(v.asText()).matches())) {
                throw new IllegalArgumentException("\"" + where + "\" has " + v + "; write "
                        + (names ? "lower-case names such as turn_on" : "strings"));
            }
            out.add(v.asText());
        }
        return out;
    }

    private static Map<String, Set<String>> copy(Map<String, Set<String>> m) {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, java.util.Collections.unmodifiableSet(new LinkedHashSet<>(v))));
        return java.util.Collections.unmodifiableMap(out);
    }

    private static ActionPolicy loadDefaults() {
        try (InputStream in = ActionPolicy.class.getResourceAsStream("default-policy.json")) {
            if (in == null) {
                throw new IllegalStateException("chat-homeassistant-adapter is missing default-policy.json");
            }
            return parse(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
