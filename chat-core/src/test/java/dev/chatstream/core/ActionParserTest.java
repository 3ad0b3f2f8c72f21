package dev.chatstream.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ActionParserTest {

    @Test
    void shouldParseToolAndArgsIntoPlainJavaValues() {
        ActionParser.Outcome outcome = ActionParser.parse(" {\"tool\": \"homeassistant_call_service\", \"args\": "
                + "{\"domain\": \"climate\", \"temperature\": 22, \"ratio\": 0.5, \"on\": true, "
                + "\"ids\": [\"a\", \"b\"], \"nested\": {\"x\": -1e3}, \"gone\": null, \"text\": \"a\\\"b\\u00e7\"}} ");

        assertThat(outcome).isEqualTo(new ActionParser.Outcome.Parsed(new Action("homeassistant_call_service",
                Map.of("domain", "climate", "temperature", 22L, "ratio", 0.5, "on", true,
                        "ids", List.of("a", "b"), "nested", Map.of("x", -1000.0), "text", "a\"bç"))));
    }

    @Test
    void shouldKeepTheArgumentOrder() {
        Action action = ((ActionParser.Outcome.Parsed) ActionParser.parse(
                "{\"tool\": \"t\", \"args\": {\"z\": 1, \"a\": 2, \"m\": 3}}")).action();

        assertThat(action.args().keySet()).containsExactly("z", "a", "m");
    }

    @Test
    void shouldAcceptAnActionWithoutArgs() {
        assertThat(ActionParser.parse("{\"tool\": \"stop_music\"}"))
                .isEqualTo(new ActionParser.Outcome.Parsed(new Action("stop_music", Map.of())));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "``|the ACTION line has no JSON after \"ACTION:\"",
            "{not json}|the ACTION line is not valid JSON: expected a quoted member name at character 2",
            "{\"tool\": \"x\"} trailing|the ACTION line is not valid JSON: unexpected text after the JSON value at character 15",
            "{\"tool\": \"x\"|the ACTION line is not valid JSON: expected ',' or '}' at character 13",
            "[1, 2]|the ACTION line must hold a JSON object like {\"tool\": \"...\", \"args\": {...}}",
            "{\"args\": {}}|the ACTION JSON has no \"tool\" name",
            "{\"tool\": \"  \"}|the ACTION JSON has no \"tool\" name",
            "{\"tool\": 7}|the ACTION JSON has no \"tool\" name",
            "{\"tool\": \"x\", \"args\": [1]}|the ACTION JSON's \"args\" must be an object",
            "{\"tool\": \"x\", \"args\": {\"a\": tru}}|the ACTION line is not valid JSON: expected a value at character 29",
            "{\"tool\": \"x\\q\"}|the ACTION line is not valid JSON: unknown escape '\\q' at character 12",
            "null|the ACTION line is not valid JSON: expected a value, got null",
    })
    void shouldSayExactlyWhyALineIsRefused(String json, String reason) {
        assertThat(ActionParser.parse(json)).isEqualTo(new ActionParser.Outcome.Invalid(reason));
    }

    @Test
    void shouldRefuseJsonNestedTooDeeply() {
        String deep = "{\"tool\": \"x\", \"args\": " + "[".repeat(100) + "]".repeat(100) + "}";

        assertThat(ActionParser.parse(deep)).isInstanceOf(ActionParser.Outcome.Invalid.class);
    }
}
