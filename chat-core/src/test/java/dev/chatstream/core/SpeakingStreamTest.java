package dev.chatstream.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Speech segments through the whole use case ({@link SpeechSegmenter#speaking} over {@link ChatStreamer}): for every
 * golden reply followed by an ACTION line, streamed in every split into two tokens and one character at a time, the
 * segments never hold the ACTION line, join into the spoken form of {@code final_text}, and are numbered in order.
 */
class SpeakingStreamTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneId.of("Europe/Lisbon"));
    private static final String ACTION = "ACTION: {\"tool\": \"homeassistant_call_service\", \"args\": "
            + "{\"domain\": \"light\", \"service\": \"turn_on\", \"entity_id\": \"light.sala\"}}";

    static Stream<Arguments> replies() {
        return SpeechSegmenterTest.goldens().stream().map(Arguments::of);
    }

    private static List<ChatEvent> stream(List<String> tokens) {
        RecordingEventSink sink = new RecordingEventSink();
        new ChatStreamer(ScriptedLlmStream.replying(tokens.toArray(String[]::new)),
                new InMemoryPromptContextSource("BASE"), new InMemoryMemoryStore(), CLOCK, ChatSettings.defaults())
                .stream(ChatRequest.of(UserId.of("ana"), "olá"), SpeechSegmenter.speaking(sink), new Cancellation());
        return sink.events();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("replies")
    void shouldSpeakTheFinalTextAndNeverTheActionLineAtAnyTokenSplit(SpeechSegmenterTest.Golden golden) {
        String reply = golden.reply() + "\n" + ACTION;
        List<List<String>> splits = new ArrayList<>();
        for (int cut = 1; cut < reply.length(); cut += 3) {
            splits.add(List.of(reply.substring(0, cut), reply.substring(cut)));
        }
        splits.add(reply.codePoints().mapToObj(Character::toString).toList());
        for (List<String> tokens : splits) {
            List<ChatEvent> events = stream(tokens);
            List<ChatEvent.Speech> speech = events.stream().filter(ChatEvent.Speech.class::isInstance)
                    .map(ChatEvent.Speech.class::cast).toList();
            String finalText = events.stream().filter(ChatEvent.FinalText.class::isInstance)
                    .map(e -> ((ChatEvent.FinalText) e).text()).findFirst().orElseThrow();

            assertThat(speech).extracting(ChatEvent.Speech::text).as("%s in %d tokens", golden.name(), tokens.size())
                    .containsExactlyElementsOf(golden.segments());
            assertThat(String.join(" ", speech.stream().map(ChatEvent.Speech::text).toList()))
                    .isEqualTo(SpeechSegmenter.spoken(finalText));
            assertThat(speech).extracting(ChatEvent.Speech::index).isEqualTo(
                    java.util.stream.IntStream.range(0, speech.size()).boxed().toList());
            assertThat(speech).allSatisfy(s -> assertThat(s.text()).doesNotContain("ACTION", "turn_on"));
            int finalAt = events.indexOf(new ChatEvent.FinalText(finalText));
            assertThat(events.subList(finalAt, events.size())).as("all said before the reply's end")
                    .noneMatch(ChatEvent.Speech.class::isInstance);
        }
    }

    @Test
    void shouldSayNothingOfAnUnfinishedSentenceWhenTheReplyBreaksOff() {
        RecordingEventSink sink = new RecordingEventSink();
        EventSink speaking = SpeechSegmenter.speaking(sink);

        speaking.send(new ChatEvent.Chunk("Vou ligar a luz. Depois"));
        speaking.send(new ChatEvent.Chunk(" fecho a persiana"));
        speaking.send(new ChatEvent.Failed(ErrorCode.LLM_FAILED, "Ollama stopped"));

        assertThat(sink.events()).containsExactly(new ChatEvent.Chunk("Vou ligar a luz. Depois"),
                new ChatEvent.Speech("Vou ligar a luz.", 0), new ChatEvent.Chunk(" fecho a persiana"),
                new ChatEvent.Failed(ErrorCode.LLM_FAILED, "Ollama stopped"));
    }

    @Test
    void shouldStopAddingSegmentsForAClientThatWentAway() {
        RecordingEventSink sink = RecordingEventSink.goneAfter(1);
        EventSink speaking = SpeechSegmenter.speaking(sink);

        assertThat(speaking.send(new ChatEvent.Chunk("Olá! Tudo bem? Sim"))).as("the speech event was not delivered")
                .isFalse();
        assertThat(sink.events()).as("offered: the chunk, then one segment, refused; not the next one")
                .containsExactly(new ChatEvent.Chunk("Olá! Tudo bem? Sim"), new ChatEvent.Speech("Olá!", 0));
    }
}
