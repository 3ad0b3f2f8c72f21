package dev.chatstream.llamacpp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chatstream.core.Cancellation;
import dev.chatstream.core.ChatMessage;
import dev.chatstream.core.ChatOptions;
import dev.chatstream.core.ErrorCode;
import dev.chatstream.core.LlmDelta;
import dev.chatstream.core.LlmRequest;
import dev.chatstream.core.TransientException;
import dev.chatstream.core.Usage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 26: closing while replies run. llama.cpp-java's cancel does not wake a thread waiting for a token
 * (kherud/java-llama.cpp #102, #116), which the scripted engine now copies, so close must end the replies itself
 * and never free the model under a thread still inside it.
 */
class LlamaCppCloseTest {
    private static final LlmRequest REQUEST = new LlmRequest(List.of(ChatMessage.user("Olá")), ChatOptions.defaults());

    private static CompletableFuture<Usage> streamUntilFirstPiece(LlamaCppLlmStream llm) throws Exception {
        CountDownLatch first = new CountDownLatch(1);
        CompletableFuture<Usage> reply = CompletableFuture.supplyAsync(() -> llm.stream(REQUEST, d -> first.countDown(),
                new Cancellation()));
        assertThat(first.await(30, TimeUnit.SECONDS)).as("the first piece").isTrue();
        return reply;
    }

    @Test
    void shouldEndARunningReplyWithAnErrorAndKeepTheModelWhileAThreadIsStillInside() throws Exception {
        ScriptedEngine engine = new ScriptedEngine(ScriptedEngine.Mode.STALL_AFTER, List.of("Era ", "uma "));
        LlamaCppLlmStream llm = new LlamaCppLlmStream(engine, LlamaCppConfig.defaults(Path.of("m.gguf")),
                Duration.ofMillis(200));
        CompletableFuture<Usage> reply = streamUntilFirstPiece(llm);
        assertThat(engine.awaitStalled(Duration.ofSeconds(30))).as("the slot thread is inside the stall").isTrue();

        llm.close();

        assertThatThrownBy(() -> reply.get(30, TimeUnit.SECONDS)).cause()
                .isInstanceOfSatisfying(TransientException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.LLM_UNAVAILABLE))
                .hasMessage("The server is stopping: llama.cpp stopped this reply; try again once it is back");
        assertThat(engine.closed).as("not freed under the stalled thread").isFalse();
        assertThatThrownBy(() -> llm.stream(REQUEST, d -> { }, new Cancellation()))
                .isInstanceOf(TransientException.class).hasMessageStartingWith("The server is stopping");
        engine.unstall();
    }

    @Test
    void shouldUnloadTheModelOnceTheSlotThreadsHaveLeft() throws Exception {
        // 1,000 pieces at 5 ms each: still running when close comes, however busy the machine
        ScriptedEngine engine = new ScriptedEngine(ScriptedEngine.Mode.SLOW,
                java.util.Collections.nCopies(1_000, "palavra "));
        LlamaCppLlmStream llm = new LlamaCppLlmStream(engine, LlamaCppConfig.defaults(Path.of("m.gguf")),
                Duration.ofSeconds(30));
        CompletableFuture<Usage> reply = streamUntilFirstPiece(llm);

        llm.close();

        assertThatThrownBy(() -> reply.get(30, TimeUnit.SECONDS)).cause().isInstanceOf(TransientException.class);
        assertThat(engine.closed).isTrue();
    }

    @Test
    void shouldCountTokensInTheVocabularyAndForwardNoEmptyPiece() {
        ScriptedEngine engine = new ScriptedEngine(ScriptedEngine.Mode.REPLY, List.of("Era uma", " vez", ""));
        LlamaCppLlmStream llm = new LlamaCppLlmStream(engine, LlamaCppConfig.defaults(Path.of("m.gguf")));
        List<LlmDelta> deltas = new java.util.concurrent.CopyOnWriteArrayList<>();

        Usage usage = llm.stream(REQUEST, deltas::add, new Cancellation());

        assertThat(deltas).containsExactly(new LlmDelta.Text("Era uma"), new LlmDelta.Text(" vez"));
        assertThat(usage.completionTokens()).as("three words, two pieces").isEqualTo(3);
        assertThat(usage.promptTokens()).isEqualTo(1); // the scripted prompt is "prompt"
        llm.close();
    }
}
