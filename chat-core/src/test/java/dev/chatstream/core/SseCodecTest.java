package dev.chatstream.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The wire format, byte for byte, against the golden files; and what decoding makes of them. */
class SseCodecTest {

    private static byte[] golden(String name) {
        try (InputStream in = SseCodecTest.class.getResourceAsStream("/wire/" + name + ".sse")) {
            assertThat(in).as("golden file wire/%s.sse", name).isNotNull();
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private record Frame(String name, String id, String data) {
    }

    private static List<Frame> read(byte[] bytes) {
        List<Frame> frames = new ArrayList<>();
        new SseReader((name, id, data) -> frames.add(new Frame(name, id, data))).feed(ByteBuffer.wrap(bytes));
        return frames;
    }

    @Test
    void shouldEncodeEveryEventKindExactlyAsTheGoldenFiles() {
        long id = 1;
        for (Map.Entry<String, ChatEvent> e : GoldenEvents.all().entrySet()) {
            assertThat(new String(SseCodec.encode(id++, e.getValue(), GoldenEvents.REQUEST_ID),
                    java.nio.charset.StandardCharsets.UTF_8))
                    .as("wire/%s.sse", e.getKey())
                    .isEqualTo(new String(golden(e.getKey()), java.nio.charset.StandardCharsets.UTF_8));
        }
        assertThat(SseCodec.OPEN).isEqualTo(golden("open"));
        assertThat(SseCodec.PING).isEqualTo(golden("ping"));
        assertThat(SseCodec.encode(3, new ChatEvent.Queued(2), GoldenEvents.REQUEST_ID)).as("a comment, without an id")
                .isEqualTo(golden("queued"));
    }

    @Test
    void shouldCoverEveryEventKind() {
        java.util.Set<Class<?>> kinds = new java.util.HashSet<>();
        GoldenEvents.all().values().forEach(e -> kinds.add(e.getClass()));
        kinds.add(ChatEvent.Queued.class); // a comment, not a framed event: wire/queued.sse, checked above

        assertThat(kinds).containsExactlyInAnyOrder((Class<?>[]) ChatEvent.class.getPermittedSubclasses());
    }

    @Test
    void shouldDecodeEachGoldenFileBackToItsEventAndItsBytes() {
        long id = 1;
        for (Map.Entry<String, ChatEvent> e : GoldenEvents.all().entrySet()) {
            List<Frame> frames = read(golden(e.getKey()));
            assertThat(frames).as("wire/%s.sse frames", e.getKey()).hasSize(1);
            Frame frame = frames.getFirst();
            ChatEvent decoded = SseCodec.decode(frame.name(), frame.data()).orElseThrow();

            assertThat(frame.id()).isEqualTo(Long.toString(id));
            assertThat(SseCodec.encode(id, decoded, GoldenEvents.REQUEST_ID)).as("wire/%s.sse re-encoded", e.getKey())
                    .isEqualTo(golden(e.getKey()));
            if (!(decoded instanceof ChatEvent.Done)) { // the wire carries usage in ms and a rounded rate
                assertThat(decoded).as("wire/%s.sse decoded", e.getKey()).isEqualTo(asOnTheWire(e.getValue()));
            }
            id++;
        }
    }

    /** The wire says {@code retry_after} in whole seconds, rounded up. */
    private static ChatEvent asOnTheWire(ChatEvent event) {
        if (event instanceof ChatEvent.Failed f && !f.retryAfter().isZero()) {
            return new ChatEvent.Failed(f.code(), f.message(), f.conversationId(),
                    java.time.Duration.ofSeconds((f.retryAfter().toMillis() + 999) / 1000));
        }
        return event;
    }

    @Test
    void shouldDecodeWhatTheWireSaysOfUsage() {
        ChatEvent.Done done = (ChatEvent.Done) SseCodec.decode("done", new String(golden("done"),
                java.nio.charset.StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("data: ")).findFirst()
                .orElseThrow().substring(6)).orElseThrow();

        assertThat(done.usage().promptTokens()).isEqualTo(120);
        assertThat(done.usage().completionTokens()).isEqualTo(42);
        assertThat(done.usage().totalDuration()).hasMillis(2345);
        assertThat(done.usage().loadDuration()).hasMillis(12);
        assertThat(done.usage().tokensPerSecond()).isCloseTo(21.0, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(done.usage().doneReason()).isEqualTo("stop");
        assertThat(done.conversationId()).hasValue(7);
    }

    @Test
    void shouldKeepTextFullOfSseSyntaxInsideOneDataLine() {
        byte[] bytes = golden("chunk-sse-syntax");

        assertThat(new String(bytes, java.nio.charset.StandardCharsets.UTF_8).split("\n", -1))
                .as("three lines and the blank line that ends the event").hasSize(4);
        assertThat(read(bytes)).extracting(Frame::name).containsExactly("message");
    }

    @Test
    void shouldIgnoreEventsItDoesNotKnowAndRefuseBrokenOnesNamingTheField() {
        assertThat(SseCodec.decode("progress", "{\"phase\": \"loading\"}")).isEmpty();
        assertThat(SseCodec.decode("message", "{\"type\": \"note\"}")).isEmpty();

        assertThatThrownBy(() -> SseCodec.decode("final_text", "{\"txt\": \"x\"}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("text is missing or not a string");
        assertThatThrownBy(() -> SseCodec.decode("done", "{\"finished\": tru}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("the done event's data is not JSON");
        assertThatThrownBy(() -> SseCodec.decode("action_result", "{\"id\": \"a\", \"status\": \"maybe\", \"message\": \"m\"}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("unknown action status maybe");
        assertThat(((ChatEvent.Failed) SseCodec.decode("error", "{\"error\": \"e\", \"code\": \"from_the_future\"}")
                .orElseThrow()).code()).as("a code this client does not know").isEqualTo(ErrorCode.INTERNAL);
    }
}
