package dev.chatstream.core;

import java.util.List;
import java.util.Map;

/**
 * Writes the JSON of events and error bodies exactly as the system chatstream replaces did (Python's
 * {@code json.dumps} with {@code ensure_ascii=False}): {@code ", "} and {@code ": "} separators, non-ASCII
 * as is, control characters escaped. Every newline in a value is escaped, so one JSON value is always one
 * line, which keeps the SSE framing intact. Values: String, Boolean, Number, Map (insertion order), List.
 */
public final class Json {
    private Json() {
    }

    /**
     * The JSON text of {@code value} on one line.
     *
     * @throws IllegalArgumentException for a value of another type
     */
    public static String write(Object value) {
        StringBuilder out = new StringBuilder(64);
        write(value, out);
        return out.toString();
    }

    /**
     * The value of one JSON text: objects as {@link java.util.LinkedHashMap}s (key order kept), arrays as lists,
     * integers as {@link Long} (or {@link Double} when too large), other numbers as {@link Double}; {@code null}s in
     * objects and arrays are dropped. For what {@link #write} wrote (a shared store's copy of events, say).
     *
     * @throws IllegalArgumentException when {@code text} is not JSON
     */
    public static Object read(String text) {
        try {
            return JsonReader.read(Checks.notNull(text, "text"));
        } catch (JsonReader.JsonSyntaxException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
    }

    private static void write(Object value, StringBuilder out) {
        switch (value) {
            case null -> out.append("null");
            case String s -> string(s, out);
            case Boolean b -> out.append(b);
            case Double d when d.isNaN() || d.isInfinite() -> out.append("null");
            case Float f when f.isNaN() || f.isInfinite() -> out.append("null");
            case Number n -> out.append(n);
            case Map<?, ?> map -> {
                out.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    if (!first) {
                        out.append(", ");
                    }
                    first = false;
                    string(String.valueOf(e.getKey()), out);
                    out.append(": ");
                    write(e.getValue(), out);
                }
                out.append('}');
            }
            case List<?> list -> {
                out.append('[');
                for (int i = 0; i < list.size(); i++) {
                    if (i > 0) {
                        out.append(", ");
                    }
                    write(list.get(i), out);
                }
                out.append(']');
            }
            default -> throw new IllegalArgumentException("cannot write " + value.getClass() + " as JSON");
        }
    }

    private static void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029' || Character.isSurrogate(c)
                            && !validSurrogateAt(s, i)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** A lone surrogate cannot be encoded as UTF-8; it is escaped instead of becoming '?'. */
    private static boolean validSurrogateAt(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
