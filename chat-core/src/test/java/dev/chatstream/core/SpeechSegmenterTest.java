package dev.chatstream.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The speech segments of hand-written replies in Portuguese and English ({@code speech/pt.txt}, {@code speech/en.txt}),
 * and that a reply streamed in any pieces gives the same segments.
 */
class SpeechSegmenterTest {

    /** One golden: a reply and the segments a voice gets for it. */
    record Golden(String file, String name, String reply, List<String> segments) {
        @Override
        public String toString() {
            return file + ": " + name;
        }
    }

    static List<Golden> goldens() {
        List<Golden> all = new ArrayList<>();
        for (String file : List.of("pt.txt", "en.txt")) {
            all.addAll(read(file));
        }
        return all;
    }

    private static List<Golden> read(String file) {
        String text;
        try (InputStream in = SpeechSegmenterTest.class.getResourceAsStream("/speech/" + file)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        List<Golden> out = new ArrayList<>();
        String[] blocks = text.split("\n=== ");
        for (int b = 1; b < blocks.length; b++) {
            String block = blocks[b];
            int nameEnd = block.indexOf('\n');
            int arrow = block.indexOf("\n~~>\n");
            String reply = block.substring(nameEnd + 1, arrow);
            List<String> segments = block.substring(arrow + 5).lines().filter(l -> !l.isBlank()).toList();
            out.add(new Golden(file, block.substring(0, nameEnd), reply, segments));
        }
        return out;
    }

    static Stream<Arguments> cases() {
        return goldens().stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void shouldCutEachReplyAsTheGoldenSays(Golden golden) {
        assertThat(SpeechSegmenter.segments(golden.reply())).as(golden.name()).containsExactlyElementsOf(
                golden.segments());
        assertThat(SpeechSegmenter.spoken(golden.reply())).isEqualTo(String.join(" ", golden.segments()));
    }

    /** Every cut of the text in two, and random cuts into many pieces (one character each, too). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void shouldGiveTheSameSegmentsForEveryWayTheReplyIsSplit(Golden golden) {
        String reply = golden.reply();
        for (int cut = 0; cut <= reply.length(); cut++) {
            assertThat(stream(List.of(reply.substring(0, cut), reply.substring(cut))))
                    .as("%s cut at %d", golden.name(), cut).containsExactlyElementsOf(golden.segments());
        }
        Random random = new Random(reply.hashCode());
        for (int run = 0; run < 20; run++) {
            List<String> pieces = new ArrayList<>();
            for (int i = 0; i < reply.length(); ) {
                int n = run == 0 ? 1 : 1 + random.nextInt(8);
                int end = Math.min(reply.length(), i + n);
                pieces.add(reply.substring(i, end));
                i = end;
            }
            assertThat(stream(pieces)).as("%s in %s", golden.name(), pieces)
                    .containsExactlyElementsOf(golden.segments());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void shouldNeverSpeakMarkupUrlsCodeOrEmoji(Golden golden) {
        for (String segment : SpeechSegmenter.segments(golden.reply())) {
            assertThat(segment).isEqualTo(segment.strip()).isNotEmpty().doesNotContain("http", "](", "```", "  ", "\n");
            if (!golden.name().startsWith("escaped")) {
                assertThat(segment).doesNotContain("*", "`", "#", "|", "~~", "__");
            }
            assertThat(segment.codePoints().filter(cp -> Character.isExtendedPictographic(cp) && cp > 0x2000))
                    .as(segment).isEmpty();
        }
    }

    /** A voice starts as soon as a sentence is known to have ended: at the next word, not at the reply's end. */
    @Test
    void shouldGiveTheFirstSentenceAsSoonAsTheNextWordShowsItEnded() {
        SpeechSegmenter s = new SpeechSegmenter();

        assertThat(s.feed("Claro")).isEmpty();
        assertThat(s.feed("!")).as("a space or more text must come to tell \"!\" from \"!?\"").isEmpty();
        assertThat(s.feed(" Vou")).containsExactly("Claro!");
        assertThat(s.feed(" ligar a luz da sala.")).isEmpty();
        assertThat(s.feed(" Já")).containsExactly("Vou ligar a luz da sala.");
        assertThat(s.feed(" está.")).isEmpty();
        assertThat(s.finish()).containsExactly("Já está.");
        assertThat(s.count()).isEqualTo(3);
    }

    @Test
    void shouldEndALongFirstClauseAtItsCommaAndLaterOnesAtTheirSentenceEnd() {
        SpeechSegmenter s = new SpeechSegmenter();

        assertThat(s.feed("Segundo a previsão para hoje,")).isEmpty();
        assertThat(s.feed(" o")).containsExactly("Segundo a previsão para hoje,");
        assertThat(s.feed(" céu fica limpo. A seguir, à tarde,")).containsExactly("o céu fica limpo.");
        assertThat(s.feed(" aquece")).as("only the first segment ends at a clause").isEmpty();
        assertThat(s.finish()).containsExactly("A seguir, à tarde, aquece");
    }

    @Test
    void shouldSayNothingForAReplyThatIsOnlyCodeOrEmoji() {
        assertThat(SpeechSegmenter.segments("```\nrm -rf /tmp/x\n```")).isEmpty();
        assertThat(SpeechSegmenter.segments("👍🏽 🎉")).isEmpty();
        assertThat(SpeechSegmenter.segments("")).isEmpty();
        assertThat(SpeechSegmenter.segments("  \n\n ")).isEmpty();
    }

    private static List<String> stream(List<String> pieces) {
        SpeechSegmenter s = new SpeechSegmenter();
        List<String> out = new ArrayList<>();
        for (String p : pieces) {
            out.addAll(s.feed(p));
        }
        out.addAll(s.finish());
        return out;
    }
}
