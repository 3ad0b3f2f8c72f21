package dev.chatstream.llamacpp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chatstream.core.Cancellation;
import dev.chatstream.core.ChatMessage;
import dev.chatstream.core.ChatOptions;
import dev.chatstream.core.LlmDelta;
import dev.chatstream.core.LlmRequest;
import dev.chatstream.core.StreamCancelledException;
import dev.chatstream.core.Usage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real inference engine: llama.cpp with {@code ../shared/models/llama-2-tiny-random.gguf} (random weights, so
 * the text is gibberish, but real tokens, template, sampling and cancellation). Skipped, saying so, when the
 * file is absent; CI has it.
 */
class LlamaCppModelTest {
    static final Path MODEL = Path.of(System.getProperty("chatstream.test.model",
            "../../shared/models/llama-2-tiny-random.gguf"));
    private static LlamaCppLlmStream llm;

    static void assumeModel() {
        Assumptions.assumeTrue(Files.isRegularFile(MODEL), "The test model " + MODEL.toAbsolutePath()
                + " is absent, so the llama.cpp tests are skipped (CI has it)");
    }

    @BeforeAll
    static void load() {
        assumeModel();
        // one slot, short replies, temperature 0: the same reply every time
        llm = LlamaCppLlmStream.open(LlamaCppConfig.defaults(MODEL).withLimits(1, 1024, 64).withTemperature(0));
    }

    @AfterAll
    static void unload() {
        if (llm != null) {
            llm.close();
        }
    }

    private static LlmRequest request(String message) {
        return new LlmRequest(List.of(ChatMessage.system("You are a test."), ChatMessage.user(message)),
                ChatOptions.defaults());
    }

    private static String text(List<LlmDelta> deltas) {
        StringBuilder sb = new StringBuilder();
        deltas.forEach(d -> sb.append(((LlmDelta.Text) d).text()));
        return sb.toString();
    }

    /** Issue 26: a slot's share of the context is what the prompt must fit (context shift would cut its front). */
    @Test
    void shouldTellASlotsShareOfTheContext() {
        assertThat(llm.contextTokens(dev.chatstream.core.ChatOptions.defaults())).hasValue(1024);
    }

    @Test
    void shouldStreamPiecesAndReportUsage() {
        List<LlmDelta> deltas = new CopyOnWriteArrayList<>();

        Usage usage = llm.stream(request("Olá, tudo bem?"), deltas::add, new Cancellation());

        System.out.println("llama.cpp, " + usage.completionTokens() + " tokens in " + usage.totalDuration().toMillis()
                + " ms: " + text(deltas).replace("\n", "\\n"));
        assertThat(deltas).isNotEmpty().allSatisfy(d -> assertThat(d).isInstanceOf(LlmDelta.Text.class));
        // issue 26: counted in the model's vocabulary, not pieces; no empty piece is a delta
        assertThat(deltas).allSatisfy(d -> assertThat(((LlmDelta.Text) d).text()).isNotEmpty());
        assertThat(usage.promptTokens()).as("the prompt is counted too").isPositive();
        assertThat(usage.completionTokens()).isPositive();
        assertThat(usage.doneReason()).isIn("stop", "length");
        // issue 27 item 9: never more than the limit (re-tokenizing the text said 77 of 64), all of it when cut there
        assertThat(usage.completionTokens()).isLessThanOrEqualTo(64);
        if (usage.truncated()) {
            assertThat(usage.completionTokens()).isEqualTo(64);
        }
    }

    @Test
    void shouldGiveTheSameReplyAtTemperatureZeroWithMultiByteCharactersWhole() {
        List<LlmDelta> first = new CopyOnWriteArrayList<>();
        List<LlmDelta> second = new CopyOnWriteArrayList<>();

        llm.stream(request("Escreve em português: coração, ação, 🌙"), first::add, new Cancellation());
        llm.stream(request("Escreve em português: coração, ação, 🌙"), second::add, new Cancellation());

        assertThat(text(first)).isEqualTo(text(second));
        assertThat(text(first)).as("no character broken into replacement marks").doesNotContain("\uFFFD");
        assertThat(text(first).codePoints().anyMatch(c -> c > 127)).as("the reply has multi-byte characters").isTrue();
    }

    @Test
    void shouldStopPromptlyWhenCancelledMidGenerationAndFreeTheSlot() throws Exception {
        Cancellation stop = new Cancellation();
        List<LlmDelta> deltas = new CopyOnWriteArrayList<>();

        assertThatThrownBy(() -> llm.stream(request("Conta uma história comprida"), d -> {
            deltas.add(d);
            if (deltas.size() == 3) {
                stop.cancel("stopped by the test");
            }
        }, stop)).isInstanceOf(StreamCancelledException.class);

        assertThat(deltas).hasSize(3);
        CompletableFuture<Usage> next = CompletableFuture.supplyAsync(
                () -> llm.stream(request("Olá"), d -> { }, new Cancellation()));
        assertThat(next.get(30, TimeUnit.SECONDS).completionTokens()).as("the only slot was freed").isPositive();
    }

    @Test
    void shouldQueueRequestsBeyondItsSlotsAndCountTheWait() throws Exception {
        // one slot and long replies: the first request holds the slot while the second waits in line
        try (LlamaCppLlmStream one = LlamaCppLlmStream.open(LlamaCppConfig.defaults(MODEL).withLimits(1, 512, 2_000)
                .withTemperature(0))) {
            java.util.concurrent.CountDownLatch firstIsGenerating = new java.util.concurrent.CountDownLatch(1);
            CompletableFuture<Usage> first = CompletableFuture.supplyAsync(() -> one.stream(request("Primeiro"),
                    d -> firstIsGenerating.countDown(), new Cancellation()));
            assertThat(firstIsGenerating.await(30, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Usage> second = CompletableFuture.supplyAsync(
                    () -> one.stream(request("Segundo"), d -> { }, new Cancellation()));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            boolean sawWaiting = false;
            while (!first.isDone() && System.nanoTime() < deadline && !sawWaiting) {
                sawWaiting = one.waiting() == 1;
                Thread.onSpinWait();
            }

            first.get(60, TimeUnit.SECONDS);
            second.get(60, TimeUnit.SECONDS);

            assertThat(sawWaiting).as("waiting() showed the second request in line").isTrue();
            assertThat(one.queueWaitNanos()).as("the wait was counted").isPositive();
            assertThat(one.waiting()).isZero();
        }
    }

    @Test
    void shouldExplainAMissingOrInvalidModelFile() throws Exception {
        Path notGguf = Files.createTempFile("model", ".gguf");
        Files.writeString(notGguf, "not a model");

        assertThatThrownBy(() -> LlamaCppLlmStream.open(LlamaCppConfig.defaults(Path.of("/nowhere/model.gguf"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("The model file /nowhere/model.gguf does not exist; download a GGUF model and set "
                        + "llamacpp.model to its path");
        assertThatThrownBy(() -> LlamaCppLlmStream.open(LlamaCppConfig.defaults(notGguf)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("The file " + notGguf + " is not a GGUF model (it does not start with GGUF); llama.cpp "
                        + "needs a .gguf file");
    }
}
