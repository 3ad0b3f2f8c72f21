package dev.chatstream.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * Property-style tests: for many inputs, every way of splitting them into pieces gives the same chunks'
 * text and the same actions as a line-by-line reference, and no chunk ever shows an ACTION line or ends
 * inside a surrogate pair.
 */
class ActionFilterTest {

    static List<String> inputs() {
        return List.of(
                "Vou ligar o ar condicionado da sala a 22 graus.\nACTION: {\"tool\": \"homeassistant_call_service\", "
                        + "\"args\": {\"domain\": \"climate\", \"service\": \"set_temperature\", "
                        + "\"entity_id\": \"climate.sala\", \"temperature\": 22}}",
                "Olá! Coração 😀 ação.\r\nACTION: {\"tool\":\"x\",\"args\":{}}\r\nDepois do ACTION.\r\n",
                "ACTIONS are fun\nAnd ACTION: in the middle is text\n",
                "  ACTION: {\"tool\": \"a\"}\nmiddle\n\tACTION: {\"tool\": \"b\", \"args\": {\"n\": 1}}\nend",
                "ACTION: {not json}\nStill here 🎉",
                "A\nAC\nACT\nACTIO\nACTION",
                "Emoji first 👍🏽 then ACTION:\nACTION:{\"tool\":\"t\",\"args\":{\"s\":\"ã😀\"}}",
                "",
                "\n\n",
                "   \n  \t",
                "línea con ñ y acentos: é, ü\nACTION: {\"tool\": \"x\", \"args\": [1]}\n",
                "Primeiro.\nACTION: {\"tool\": \"one\"}\nACTION: {\"tool\": \"two\", \"args\": {\"on\": true}}\n"
                        + "Texto depois.\n",
                "🇵🇹🇵🇹 Bandeiras\n  ACTIONABLE items\nACTION:",
                "action: lower case is text\n ACTION : spaced colon is text\n",
                "Um exemplo:\n```\nACTION: {\"tool\": \"exemplo\"}\n```\nACTION: {\"tool\": \"real\"}\n",
                "``\n`ACTION: x\n  ```json\nACTION: {\"tool\": \"dentro\"}\n``` fim\nACTION: {\"tool\": \"fora\"}",
                "```\nnever closed\nACTION: {\"tool\": \"x\"}");
    }

    /** What the filter must produce, computed the slow, obvious way: whole lines. */
    private record Expected(String clean, List<ActionParser.Outcome> outcomes) {
        static Expected of(String input) {
            StringBuilder clean = new StringBuilder();
            List<ActionParser.Outcome> outcomes = new ArrayList<>();
            List<Integer> endsAt = new ArrayList<>();
            boolean inCode = false;
            int start = 0;
            while (start < input.length()) {
                int nl = input.indexOf('\n', start);
                int end = nl < 0 ? input.length() : nl + 1;
                String line = input.substring(start, end);
                String body = line.endsWith("\n") ? line.substring(0, line.length() - 1) : line;
                String unindented = body.replaceFirst("^[ \\t]*", "");
                if (unindented.startsWith("```")) {
                    inCode = !inCode;
                    clean.append(line);
                } else if (!inCode && unindented.startsWith("ACTION:")) {
                    outcomes.add(ActionParser.parse(unindented.substring("ACTION:".length())));
                    endsAt.add(clean.length());
                } else {
                    clean.append(line);
                }
                start = end;
            }
            for (int i = 0; i < outcomes.size(); i++) {
                if (outcomes.get(i) instanceof ActionParser.Outcome.Parsed
                        && !clean.substring(endsAt.get(i)).isBlank()) {
                    outcomes.set(i, new ActionParser.Outcome.Invalid(ActionFilter.TEXT_AFTER));
                }
            }
            return new Expected(clean.toString(), outcomes);
        }
    }

    private record Result(List<String> chunks, String clean, List<ActionParser.Outcome> outcomes) {
        String joined() {
            return String.join("", chunks);
        }
    }

    private static Result run(List<String> pieces) {
        List<String> chunks = new ArrayList<>();
        ActionFilter filter = new ActionFilter(chunks::add);
        pieces.forEach(filter::accept);
        filter.finish();
        return new Result(chunks, filter.cleanText(), filter.outcomes());
    }

    private static void assertMatches(String input, List<String> pieces) {
        Expected expected = Expected.of(input);
        Result result = run(pieces);
        assertThat(result.joined()).as("chunks of %s", pieces).isEqualTo(expected.clean());
        assertThat(result.clean()).isEqualTo(expected.clean());
        assertThat(result.outcomes()).as("actions of %s", pieces).isEqualTo(expected.outcomes());
        for (String chunk : result.chunks()) {
            assertThat(chunk).isNotEmpty();
            assertThat(Character.isLowSurrogate(chunk.charAt(0))).as("chunk %s starts mid-pair", chunk).isFalse();
            assertThat(Character.isHighSurrogate(chunk.charAt(chunk.length() - 1)))
                    .as("chunk %s ends mid-pair", chunk).isFalse();
        }
    }

    @ParameterizedTest
    @MethodSource("inputs")
    void shouldGiveTheSameResultForEverySplitIntoTwoPieces(String input) {
        for (int i = 0; i <= input.length(); i++) {
            assertMatches(input, List.of(input.substring(0, i), input.substring(i)));
        }
    }

    @ParameterizedTest
    @MethodSource("inputs")
    void shouldGiveTheSameResultForEverySplitIntoThreePieces(String input) {
        for (int i = 0; i <= input.length(); i++) {
            for (int j = i; j <= input.length(); j++) {
                assertMatches(input, List.of(input.substring(0, i), input.substring(i, j), input.substring(j)));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("inputs")
    void shouldGiveTheSameResultOneCharacterAndOneCodePointPerPiece(String input) {
        assertMatches(input, input.chars().mapToObj(c -> String.valueOf((char) c)).toList());
        assertMatches(input, input.codePoints().mapToObj(Character::toString).toList());
    }

    @ParameterizedTest
    @MethodSource("inputs")
    void shouldGiveTheSameResultForRandomSplits(String input) {
        Random random = new Random(input.hashCode());
        for (int round = 0; round < 300; round++) {
            List<String> pieces = new ArrayList<>();
            int at = 0;
            while (at < input.length()) {
                int len = random.nextInt(Math.min(12, input.length() - at) + 1);
                pieces.add(input.substring(at, at + len));
                at += len;
            }
            assertMatches(input, pieces);
        }
    }

    @Test
    void shouldSplitTheMarkerAcrossPiecesAsTheIssueShows() {
        Result result = run(List.of("ACT", "ION: {\"to", "ol\": \"light_on\", \"args\": {}}"));

        assertThat(result.chunks()).isEmpty();
        assertThat(result.outcomes()).containsExactly(
                new ActionParser.Outcome.Parsed(new Action("light_on", Map.of())));
    }

    @Test
    void shouldHoldBackOnlyWhileTheLineCanStillBeTheMarker() {
        List<String> chunks = new ArrayList<>();
        ActionFilter filter = new ActionFilter(chunks::add);

        filter.accept("Ok.\n");
        assertThat(chunks).containsExactly("Ok.\n");
        filter.accept("AC");
        filter.accept("TI");
        assertThat(chunks).as("ACTI could still be ACTION:").containsExactly("Ok.\n");
        filter.accept("ONS are fun");
        assertThat(chunks).containsExactly("Ok.\n", "ACTIONS are fun");
        filter.accept(" and ACTION: mid-line is text");
        assertThat(chunks).last().isEqualTo(" and ACTION: mid-line is text");
    }

    @Test
    void shouldReleaseTextAtOnceWhenItCannotBeTheMarker() {
        List<String> chunks = new ArrayList<>();
        ActionFilter filter = new ActionFilter(chunks::add);

        filter.accept("Olá");

        assertThat(chunks).containsExactly("Olá");
    }

    @Test
    void shouldNeverSendAnyPartOfAnActionLineAsText() {
        String json = "{\"tool\": \"homeassistant_call_service\", \"args\": {\"entity_id\": \"lock.porta\"}}";
        Result result = run(("Feito.\nACTION: " + json + "\nAté já!").chars()
                .mapToObj(c -> String.valueOf((char) c)).toList());

        assertThat(result.joined()).isEqualTo("Feito.\nAté já!");
        assertThat(result.chunks()).noneMatch(c -> c.contains("lock") || c.contains("{") || c.contains("AC"));
    }

    @Test
    void shouldTurnSeveralActionLinesIntoSeveralActions() {
        Result result = run(List.of("Ligo as duas.\nACTION: {\"tool\": \"a\"}\nACTION: {\"tool\": \"b\"}"));

        assertThat(result.outcomes()).extracting(o -> ((ActionParser.Outcome.Parsed) o).action().tool())
                .containsExactly("a", "b");
    }

    /** Issue 22, finding 3: "show me an example ACTION line" gets the example, and nothing runs. */
    @Test
    void shouldTakeNothingInsideACodeBlockForAnAction() {
        Result result = run(List.of("Um exemplo:\n```\nACTION: {\"tool\": \"homeassistant_call_service\", \"args\": "
                + "{\"domain\": \"lock\", \"service\": \"unlock\"}}\n```\n"));

        assertThat(result.outcomes()).isEmpty();
        assertThat(result.joined()).contains("ACTION: {\"tool\": \"homeassistant_call_service\"");
    }

    @Test
    void shouldKeepTheTextWhenTheActionJsonIsInvalid() {
        Result result = run(List.of("Está bem.\nACTION: {\"tool\": \"x\",}\nMais texto."));

        assertThat(result.joined()).isEqualTo("Está bem.\nMais texto.");
        assertThat(result.outcomes()).containsExactly(new ActionParser.Outcome.Invalid(
                "the ACTION line is not valid JSON: expected a quoted member name at character 14"));
    }

    /** Issue 22, finding 3: an action buried mid-reply does not run; the same line at the end does. */
    @Test
    void shouldTakeOnlyTheReplysLastLinesForActions() {
        Result buried = run(List.of("Claro.\nACTION: {\"tool\": \"a\"}\nE já agora, mais texto.\n"));
        Result last = run(List.of("Claro.\nACTION: {\"tool\": \"a\"}\nACTION: {\"tool\": \"b\"}\n  \n"));

        assertThat(buried.joined()).isEqualTo("Claro.\nE já agora, mais texto.\n");
        assertThat(buried.outcomes()).containsExactly(new ActionParser.Outcome.Invalid(ActionFilter.TEXT_AFTER));
        assertThat(last.outcomes()).extracting(o -> ((ActionParser.Outcome.Parsed) o).action().tool())
                .containsExactly("a", "b");
    }
}
