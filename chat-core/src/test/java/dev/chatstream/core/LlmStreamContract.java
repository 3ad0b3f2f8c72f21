package dev.chatstream.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The rules every {@link LlmStream} obeys (see its Javadoc). An adapter's test extends this class and says
 * how to make a stream that replies, stalls or fails, and how to see that cancellation reached its upstream.
 */
public abstract class LlmStreamContract {
    /** Generous bound for "promptly" on a loaded 2-core machine; a hang fails instead of blocking the build. */
    protected static final Duration PROMPTLY = Duration.ofSeconds(5);

    /** A stream whose upstream sends these text pieces, then ends normally. */
    protected abstract LlmStream replying(List<String> pieces);

    /** A stream whose upstream accepts the request and then sends nothing (a model that loads forever). */
    protected abstract LlmStream stallingBeforeFirstToken();

    /** A stream whose upstream sends these pieces and then nothing more. */
    protected abstract LlmStream stallingAfter(List<String> pieces);

    /** A stream whose upstream fails before the first token (busy, missing model, server error). */
    protected abstract LlmStream failingBeforeFirstToken();

    /** Whether the latest upstream call saw its client cancel (connection closed) within {@code timeout}. */
    protected abstract boolean upstreamSawCancel(Duration timeout);

    private static LlmRequest request() {
        return new LlmRequest(List.of(ChatMessage.system("You are a test."), ChatMessage.user("Olá")),
                ChatOptions.defaults());
    }

    private static String text(List<LlmDelta> deltas) {
        StringBuilder sb = new StringBuilder();
        for (LlmDelta d : deltas) {
            if (d instanceof LlmDelta.Text t) {
                sb.append(t.text());
            }
        }
        return sb.toString();
    }

    @Test
    void shouldDeliverPiecesInOrderAndReturnUsage() {
        List<String> pieces = List.of("Olá", ", ", "como ", "estás", "?");
        List<LlmDelta> deltas = new CopyOnWriteArrayList<>();

        Usage usage = replying(pieces).stream(request(), deltas::add, new Cancellation());

        assertThat(text(deltas)).isEqualTo("Olá, como estás?");
        assertThat(usage).isNotNull();
    }

    @Test
    void shouldDeliverMultiByteTextIntact() {
        List<String> pieces = List.of("Coração ", "à ", "noite ", "🌙", "✨ ", "ç");
        List<LlmDelta> deltas = new CopyOnWriteArrayList<>();

        replying(pieces).stream(request(), deltas::add, new Cancellation());

        assertThat(text(deltas)).isEqualTo("Coração à noite 🌙✨ ç");
    }

    @Test
    void shouldThrowAtOnceWhenAlreadyCancelled() {
        Cancellation cancellation = new Cancellation();
        cancellation.cancel("Stopped before it began");
        List<LlmDelta> deltas = new CopyOnWriteArrayList<>();

        assertThatThrownBy(() -> replying(List.of("a", "b")).stream(request(), deltas::add, cancellation))
                .isInstanceOf(StreamCancelledException.class)
                .hasMessage("Stopped before it began");
        assertThat(deltas).isEmpty();
    }

    @Test
    void shouldStopPromptlyWhenCancelledBeforeFirstToken() throws Exception {
        LlmStream stream = stallingBeforeFirstToken();
        Cancellation cancellation = new Cancellation();
        List<LlmDelta> deltas = new CopyOnWriteArrayList<>();
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            CompletableFuture<Usage> call = CompletableFuture.supplyAsync(
                    () -> stream.stream(request(), deltas::add, cancellation), executor);
            Thread.sleep(300); // let the request reach the upstream
            cancellation.cancel("The user pressed Stop");

            assertThatThrownBy(() -> call.get(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(StreamCancelledException.class);
        }
        assertThat(deltas).isEmpty();
        assertThat(upstreamSawCancel(PROMPTLY)).as("the upstream saw the cancellation").isTrue();
    }

    @Test
    void shouldStopPromptlyWhenCancelledMidStream() throws Exception {
        LlmStream stream = stallingAfter(List.of("first ", "second"));
        Cancellation cancellation = new Cancellation();
        List<LlmDelta> deltas = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> twoArrived = new CompletableFuture<>();
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            CompletableFuture<Usage> call = CompletableFuture.supplyAsync(() -> stream.stream(request(), d -> {
                deltas.add(d);
                if (text(deltas).equals("first second")) {
                    twoArrived.complete(null);
                }
            }, cancellation), executor);
            twoArrived.get(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS);
            cancellation.cancel("The client went away");

            assertThatThrownBy(() -> call.get(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(StreamCancelledException.class);
        }
        int atEnd = deltas.size();
        Thread.sleep(100);
        assertThat(deltas).hasSize(atEnd);
        assertThat(text(deltas)).isEqualTo("first second");
        assertThat(upstreamSawCancel(PROMPTLY)).as("the upstream saw the cancellation").isTrue();
    }

    @Test
    void shouldReportUpstreamFailureAsChatException() {
        List<LlmDelta> deltas = new CopyOnWriteArrayList<>();

        assertThatThrownBy(() -> failingBeforeFirstToken().stream(request(), deltas::add, new Cancellation()))
                .isInstanceOf(ChatException.class)
                .isNotInstanceOf(StreamCancelledException.class)
                .satisfies(e -> assertThat(e.getMessage()).isNotBlank());
        assertThat(deltas).isEmpty();
    }

    @Test
    void shouldPropagateWhatTheListenerThrows() {
        IllegalStateException boom = new IllegalStateException("listener failed");
        List<LlmDelta> deltas = new CopyOnWriteArrayList<>();

        assertThatThrownBy(() -> replying(List.of("a", "b", "c")).stream(request(), d -> {
            deltas.add(d);
            throw boom;
        }, new Cancellation())).isSameAs(boom);
        assertThat(deltas).hasSize(1);
    }
}
