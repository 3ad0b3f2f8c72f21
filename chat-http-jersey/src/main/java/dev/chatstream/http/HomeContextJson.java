package dev.chatstream.http;

import dev.chatstream.core.Json;
import com.fasterxml.jackson.databind.JsonNode;
import dev.chatstream.core.Device;
import dev.chatstream.core.HomeContext;
import dev.chatstream.core.InvalidRequestException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The home context as JSON: {@code {"devices": [{"entity_id", "name", "area", "aliases": [...]}]}}, the
 * body of {@code GET/PUT /api/context} and the file {@code chat context import} reads.
 * Reading validates everything (types, sizes, Home Assistant entity ids, no duplicates) and names the bad
 * field, so a bad document is refused whole and the stored home is left as it was.
 */
public final class HomeContextJson {
    static final int MAX_DEVICES = 500;
    static final int MAX_ALIASES = 20;
    static final int MAX_TEXT = 200;
    /** A valid document, for error messages and docs. */
    public static final String EXAMPLE = "{\"devices\": [{\"entity_id\": \"climate.sala\", \"name\": \"Ar condicionado "
            + "da sala\", \"area\": \"Sala\", \"aliases\": [\"ar da sala\"]}]}";
    private static final Pattern ENTITY_ID = Pattern.compile("[a-z0-9_]+\\.[a-z0-9_]+");

    private HomeContextJson() {
    }

    /**
     * Reads and validates a home context document.
     *
     * @throws InvalidRequestException naming the bad field, e.g. {@code devices[1].entity_id light.a is listed twice}
     */
    public static HomeContext parse(byte[] json) {
        try {
            JsonNode root = JsonBodies.tree(json, EXAMPLE);
            if (!root.isObject()) {
                throw JsonBodies.invalid("The document must be a JSON object such as " + EXAMPLE);
            }
            return read(root);
        } catch (ApiException e) {
            throw new InvalidRequestException("devices", e.getMessage());
        }
    }

    /** The document for {@code home}, on one line. */
    public static String format(HomeContext home) {
        return Json.write(write(home));
    }

    static Map<String, Object> write(HomeContext home) {
        List<Map<String, Object>> devices = new ArrayList<>();
        for (Device d : home.devices()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("entity_id", d.entityId());
            m.put("name", d.name());
            m.put("area", d.area());
            m.put("aliases", d.aliases());
            devices.add(m);
        }
        return Map.of("devices", devices);
    }

    static HomeContext read(JsonNode root) {
        JsonNode devices = root.get("devices");
        if (devices == null || !devices.isArray()) {
            throw JsonBodies.invalid("devices is required and must be a list, as in " + EXAMPLE);
        }
        if (devices.size() > MAX_DEVICES) {
            throw JsonBodies.invalid("devices has " + devices.size() + " entries, the limit is " + MAX_DEVICES);
        }
        List<Device> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < devices.size(); i++) {
            String at = "devices[" + i + "]";
            JsonNode d = devices.get(i);
            if (!d.isObject()) {
                throw JsonBodies.invalid(at + " must be an object with entity_id, name, area and aliases");
            }
            String entityId = text(d, "entity_id", at, true);
            if (!ENTITY_ID.matcher(entityId).matches()) {
                throw JsonBodies.invalid(at + ".entity_id must look like domain.object_id (lower case, digits, _),"
                        + " such as climate.sala; got \"" + clip(entityId) + "\"");
            }
            if (!seen.add(entityId)) {
                throw JsonBodies.invalid(at + ".entity_id " + entityId + " is listed twice");
            }
            String name = text(d, "name", at, true);
            String area = text(d, "area", at, false);
            out.add(new Device(entityId, name, area, aliases(d.get("aliases"), at)));
        }
        return new HomeContext(out);
    }

    private static String text(JsonNode d, String field, String at, boolean required) {
        JsonNode v = d.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw JsonBodies.invalid(at + "." + field + " is required");
            }
            return "";
        }
        if (!v.isTextual()) {
            throw JsonBodies.invalid(at + "." + field + " must be a string");
        }
        String s = v.textValue().strip();
        if (required && s.isEmpty()) {
            throw JsonBodies.invalid(at + "." + field + " must not be blank");
        }
        if (s.length() > MAX_TEXT) {
            throw JsonBodies.invalid(at + "." + field + " is too long: " + s.length() + " characters, the limit is "
                    + MAX_TEXT);
        }
        if (s.chars().anyMatch(Character::isISOControl)) {
            throw JsonBodies.invalid(at + "." + field + " must not contain control characters such as line breaks");
        }
        return s;
    }

    private static List<String> aliases(JsonNode node, String at) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw JsonBodies.invalid(at + ".aliases must be a list of strings");
        }
        if (node.size() > MAX_ALIASES) {
            throw JsonBodies.invalid(at + ".aliases has " + node.size() + " entries, the limit is " + MAX_ALIASES);
        }
        List<String> aliases = new ArrayList<>();
        for (int j = 0; j < node.size(); j++) {
            JsonNode a = node.get(j);
            String where = at + ".aliases[" + j + "]";
            if (!a.isTextual() || a.textValue().isBlank()) {
                throw JsonBodies.invalid(where + " must be a non-blank string");
            }
            String alias = a.textValue().strip();
            if (alias.length() > MAX_TEXT || alias.chars().anyMatch(Character::isISOControl)) {
                throw JsonBodies.invalid(where + " must be at most " + MAX_TEXT
                        + " characters on one line");
            }
            aliases.add(alias);
        }
        return aliases;
    }

    private static String clip(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
