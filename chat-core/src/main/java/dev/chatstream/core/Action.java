package dev.chatstream.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Something the model asked chatstream to do, from an {@code ACTION:} line or a native tool call,
 * e.g. {@code {"tool": "homeassistant_call_service", "args": {"domain": "climate", ...}}}.
 *
 * <p>{@code args} holds plain Java values only: {@link String}, {@link Long}, {@link Double},
 * {@link Boolean}, {@link List} and {@link Map} with string keys, nested to any depth, in their original order.
 * No nulls: JSON {@code null}s from the model are dropped before an action is made. The record keeps a deep,
 * unmodifiable copy. Model output is untrusted: executing an action is the
 * business of an executor that checks it.
 *
 * @param tool the tool's name, non-blank
 * @param args the tool's arguments
 */
public record Action(String tool, Map<String, Object> args) {
    public Action {
        Checks.notNull(tool, "tool");
        Checks.notNull(args, "args");
        if (tool.isBlank()) {
            throw new IllegalArgumentException("action tool must not be blank");
        }
        args = copyObject(args, "args");
    }

    /** This action as one JSON object, {@code {"tool": ..., "args": {...}}}, for a store that keeps it ({@link #parse}). */
    public String toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("tool", tool);
        out.put("args", args);
        return Json.write(out);
    }

    /**
     * The action {@link #toJson} wrote.
     *
     * @throws IllegalArgumentException when {@code json} is not such an object
     */
    public static Action parse(String json) {
        Object value;
        try {
            value = JsonReader.read(Checks.notNull(json, "json"));
        } catch (JsonReader.JsonSyntaxException e) {
            throw new IllegalArgumentException("not an action's JSON: " + e.getMessage(), e);
        }
        if (!(value instanceof Map<?, ?> m) || !(m.get("tool") instanceof String tool)
                || !(m.get("args") instanceof Map<?, ?> args)) {
            throw new IllegalArgumentException("not an action's JSON: {\"tool\", \"args\"} expected");
        }
        return fromJson(tool, args);
    }

    /**
     * An action from arguments as a JSON parser gives them (maps, lists, strings, numbers, booleans, nulls): JSON
     * {@code null}s are dropped and numbers too big for a {@code long} or {@code double} become doubles, as a
     * model's tool call needs before it can be an action.
     *
     * @throws IllegalArgumentException when {@code tool} is blank or a key is not a string
     */
    public static Action fromJson(String tool, Map<?, ?> args) {
        return new Action(tool, jsonObject(Checks.notNull(args, "args")));
    }

    private static Map<String, Object> jsonObject(Map<?, ?> map) {
        Map<String, Object> copy = new LinkedHashMap<>();
        map.forEach((k, v) -> {
            Object clean = jsonValue(v);
            if (clean != null) {
                copy.put(String.valueOf(k), clean);
            }
        });
        return copy;
    }

    private static Object jsonValue(Object value) {
        return switch (value) {
            case null -> null;
            case Map<?, ?> m -> jsonObject(m);
            case List<?> list -> list.stream().map(Action::jsonValue).filter(java.util.Objects::nonNull).toList();
            case java.math.BigInteger b -> b.doubleValue();
            case java.math.BigDecimal b -> b.doubleValue();
            default -> value;
        };
    }

    private static Map<String, Object> copyObject(Map<?, ?> map, String path) {
        Map<String, Object> copy = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw new IllegalArgumentException(path + " has a key that is not a string: " + e.getKey());
            }
            copy.put(key, copyValue(e.getValue(), path + "." + key));
        }
        return Collections.unmodifiableMap(copy);
    }

    private static Object copyValue(Object value, String path) {
        return switch (value) {
            case null -> throw new IllegalArgumentException(path + " must not be null");
            case String s -> s;
            case Boolean b -> b;
            case Long l -> l;
            case Integer i -> i.longValue();
            case Short s -> s.longValue();
            case Byte b -> b.longValue();
            case Double d -> d;
            case Float f -> f.doubleValue();
            case Map<?, ?> m -> copyObject(m, path);
            case List<?> list -> {
                List<Object> copy = new ArrayList<>(list.size());
                for (int i = 0; i < list.size(); i++) {
                    copy.add(copyValue(list.get(i), path + "[" + i + "]"));
                }
                yield Collections.unmodifiableList(copy);
            }
            default -> throw new IllegalArgumentException(
                    path + " has a value of unsupported type " + value.getClass().getName());
        };
    }
}
