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
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What chatstream may do in a Home Assistant installation. Model output is untrusted, so everything not listed
 * here is refused:
 * <ul>
 *   <li>{@code expose}: entity id patterns ({@code light.*}, {@code lock.porta}) the model sees and may act on;
 *   <li>{@code allow}: per domain, the services anyone may run ({@code "light": ["turn_on", "turn_off"]});
 *   <li>{@code users}: per user, an allow-list that replaces {@code allow} for that user;
 *   <li>{@code confirm}: high-impact domains whose actions never run without the user's confirmation.
 * </ul>
 * Read from a JSON file ({@link #fromFile}); {@link #defaults()} is {@code default-policy.json} in this jar.
 *
 * @param expose  entity id patterns; {@code *} matches any run of characters
 * @param allow   domain to services, for every user not in {@code users}
 * @param users   user name to that user's own domain-to-services allow-list
 * @param confirm domains whose actions wait for confirmation
 */
public record ActionPolicy(List<String> expose, Map<String, Set<String>> allow,
        Map<String, Map<String, Set<String>>> users, Set<String> confirm) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NAME = Pattern.compile("[a-z0-9_]+");
    private static final Pattern EXPOSE = Pattern.compile("[a-z0-9_*]+\\.[a-z0-9_*]+");
    private static final ActionPolicy DEFAULTS = loadDefaults();

    public ActionPolicy {
        expose = List.copyOf(expose);
        allow = copy(allow);
        Map<String, Map<String, Set<String>>> u = new LinkedHashMap<>();
        users.forEach((name, list) -> u.put(name, copy(list)));
        users = java.util.Collections.unmodifiableMap(u);
        confirm = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(confirm));
        for (String p : expose) {
            if (!EXPOSE.matcher(p).matches()) {
                throw new IllegalArgumentException("\"expose\" has \"" + p + "\"; write entity ids or patterns "
                        + "such as \"light.*\" or \"lock.porta\"");
            }
        }
    }

    /**
     * The policy that ships with chatstream: lights, switches, fans, climate, media players, scenes, covers and
     * locks exposed; everyday services allowed; covers, locks and alarm panels only with confirmation.
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
            throw new IllegalArgumentException("it must be a JSON object with \"expose\", \"allow\", \"users\" "
                    + "and \"confirm\"");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!List.of("expose", "allow", "users", "confirm").contains(key)) {
                throw new IllegalArgumentException("unknown key \"" + key + "\"; the keys are expose, allow, "
                        + "users and confirm");
            }
        }
        Map<String, Map<String, Set<String>>> users = new LinkedHashMap<>();
        JsonNode u = root.path("users");
        if (!u.isMissingNode() && !u.isObject()) {
            throw new IllegalArgumentException("\"users\" must be an object of user name to allow-list");
        }
        u.properties().forEach(e -> users.put(e.getKey(), domains(e.getValue(), "users." + e.getKey())));
        return new ActionPolicy(strings(root.path("expose"), "expose", false),
                domains(root.path("allow"), "allow"), users,
                new LinkedHashSet<>(strings(root.path("confirm"), "confirm", true)));
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

    /** Whether actions in {@code domain} wait for the user's confirmation. */
    public boolean needsConfirmation(String domain) {
        return confirm.contains(domain);
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
