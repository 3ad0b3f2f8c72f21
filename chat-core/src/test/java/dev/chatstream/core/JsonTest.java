package dev.chatstream.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The wire's JSON: Python's json.dumps(ensure_ascii=False) separators, one line, nothing lost. */
class JsonTest {

    @Test
    void shouldWriteLikeTheSystemItReplaces() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("b", 1L);
        m.put("a", List.of(true, false, 1.5, "x"));
        m.put("n", Map.of());

        assertThat(Json.write(m)).isEqualTo("{\"b\": 1, \"a\": [true, false, 1.5, \"x\"], \"n\": {}}");
    }

    @Test
    void shouldKeepNonAsciiAndEscapeQuotesBackslashesAndControlCharacters() {
        assertThat(Json.write("Olá 🌍 日本")).isEqualTo("\"Olá 🌍 日本\"");
        assertThat(Json.write("a\"b\\c")).isEqualTo("\"a\\\"b\\\\c\"");
        assertThat(Json.write("l1\nl2\r\t\u0001\u001f")).isEqualTo("\"l1\\nl2\\r\\t\\u0001\\u001f\"");
        assertThat(Json.write("l1\nl2\r\n\u2028")).doesNotContain("\n").doesNotContain("\r");
    }

    @Test
    void shouldWriteNonFiniteNumbersAsNullAndRefuseOtherTypes() {
        assertThat(Json.write(List.of(Double.NaN, Double.POSITIVE_INFINITY, Float.NaN))).isEqualTo("[null, null, null]");
        assertThatThrownBy(() -> Json.write(new Object())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot write class java.lang.Object as JSON");
    }

    @Test
    void shouldReadBackWhatItWrites() throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("text", "Olá \"mundo\"\n\\ \u0001 🌍");
        m.put("n", 42L);
        m.put("list", List.of(1.25, "x", Map.of("k", false)));

        assertThat(JsonReader.read(Json.write(m))).isEqualTo(m);
    }
}
