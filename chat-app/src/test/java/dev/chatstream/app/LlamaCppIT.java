package dev.chatstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * From HTTP request to SSE events through llama.cpp in-process ({@code llm = llamacpp}) with the tiny random
 * GGUF model of {@code ../shared/models}: real tokens through the whole pipeline. Skipped, saying so, when the
 * model file is absent; CI has it.
 */
class LlamaCppIT {
    static final Path MODEL = Path.of("../../shared/models/llama-2-tiny-random.gguf").toAbsolutePath().normalize();
    private ServerFixture f;

    @BeforeEach
    void start() {
        Assumptions.assumeTrue(Files.isRegularFile(MODEL), "The test model " + MODEL
                + " is absent, so the llama.cpp end-to-end test is skipped (CI has it)");
        f = new ServerFixture(env -> {
            env.put("CHATSTREAM_LLM", "llamacpp");
            env.put("CHATSTREAM_LLAMACPP_MODEL", MODEL.toString());
            env.put("CHATSTREAM_LLAMACPP_PARALLEL", "1");
            env.put("CHATSTREAM_LLAMACPP_CONTEXT", "1024");
            env.put("CHATSTREAM_LLAMACPP_MAX_TOKENS", "48");
            return env;
        });
    }

    @AfterEach
    void stop() {
        if (f != null) {
            f.close();
        }
    }

    /**
     * Issue 27 item 9: {@code chat "message"} with llama.cpp, as its own process: standard output holds the reply and
     * nothing else (the native library's loader announced its extraction there).
     */
    @Test
    void shouldPrintOnlyTheReplyOnStandardOutputOfAOneShotChat(@org.junit.jupiter.api.io.TempDir Path data)
            throws Exception {
        Process chat = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-jar", Path.of("target", "chat.jar").toAbsolutePath().toString(),
                "--data.dir=" + data, "--llm=llamacpp", "--llamacpp.model=" + MODEL, "--llamacpp.parallel=1",
                "--llamacpp.context=512", "--llamacpp.max.tokens=8", "Olá")
                .redirectError(data.resolve("stderr.txt").toFile()).start();
        chat.getOutputStream().close();
        String out = new String(chat.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);

        assertThat(chat.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(chat.exitValue()).as(Files.readString(data.resolve("stderr.txt"))).isZero();
        assertThat(out).doesNotContain("Extracted", "libjllama", "llama_").isNotBlank();
        assertThat(Files.readAllLines(data.resolve("stderr.txt"))).as("llama.cpp's own log is off (llamacpp.log)")
                .noneMatch(l -> l.startsWith("llama_") || l.startsWith("load") || l.startsWith("print_info"))
                .hasSizeLessThan(20);
    }

    @Test
    void shouldStreamARealModelsTokensAsChunksThatMakeUpTheFinalText() {
        StreamOutcome out = StreamOutcome.of(f, f.chat("Olá! Conta-me uma coisa: coração, ação, 🌙"));

        List<String> chunks = out.events().events().stream().filter(e -> e.name().equals("message"))
                .map(e -> ConversationsIT.json(e.data()).get("content").asText()).toList();
        String finalText = ConversationsIT.json(out.events().named("final_text").data()).get("text").asText();
        System.out.println("llama.cpp through the server: " + chunks.size() + " chunks: " + out.text().replace("\n", "\\n"));
        assertThat(out.code()).isEqualTo("done");
        assertThat(chunks.size()).as("one chunk per token, not one blob").isGreaterThan(5);
        assertThat(String.join("", chunks).strip()).isEqualTo(finalText);
        // No U+FFFD check here: at the default temperature, with the time in the prompt, this random-weights model
        // sometimes emits an invalid byte sequence itself (seen in CI-like runs). LlamaCppModelTest checks whole
        // characters at temperature 0 on a fixed prompt; here the chunks must add up to the final text exactly.
        assertThat(out.data().get("completion_tokens").asLong()).isPositive();
        // the random model often runs into its token limit: such a reply is stored as cut short (issue 26)
        String status = out.data().get("done_reason").asText().equals("length") ? "truncated" : "complete";
        assertThat(out.stored()).last().isEqualTo("assistant:" + finalText + ":" + status);
        assertThat(f.ollama.chatBodies()).as("Ollama was not used").isEmpty();
    }

    @Test
    void shouldSayItIsReadyAndPublishItsQueue() {
        String ready = f.send(f.get("api/ready", f.anaToken)).body();
        String metrics = f.send(f.get("metrics", null)).body();

        assertThat(ready).isEqualTo("{\"home\": \"stored home context\", \"llm\": \"llamacpp\", \"model\": \"" + MODEL + "\", \"status\": \"ready\"}");
        assertThat(metrics).contains("chatstream_llm_queue_waiting 0.0", "chatstream_llm_queue_wait_seconds_total");
    }
}
