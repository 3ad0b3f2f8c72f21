package dev.chatstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatstream.ollama.FakeOllama;
import dev.chatstream.ollama.FakeOllama.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The interactive chat as a person uses it: {@code target/chat.jar} in a real pseudo-terminal (tmux), typing
 * and pressing keys, against a fake Ollama over real HTTP.
 */
class InteractiveChatIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String PROMPT = "you› ";

    private final FakeOllama ollama = FakeOllama.start();
    @TempDir
    Path data;
    private Tmux tmux;

    @BeforeEach
    void start() {
        Path jar = Path.of("target", "chat.jar").toAbsolutePath();
        assertThat(jar).as("the shaded jar, built in the package phase").exists();
        String java = ProcessHandle.current().info().command().orElse("java");
        // As bin/chat does: Guice's Guava uses sun.misc.Unsafe, which JDK 24+ warns about unless allowed.
        String unsafe = Runtime.version().feature() >= 24 ? " --sun-misc-unsafe-memory-access=allow" : "";
        tmux = new Tmux("exec env LANG=C.UTF-8 TERM=xterm-256color CHATSTREAM_DATA_DIR=" + data
                + " CHATSTREAM_OLLAMA_URL=" + ollama.baseUrl() + " " + java
                + unsafe + " --enable-native-access=ALL-UNNAMED -jar " + jar + " 2>" + data.resolve("stderr.txt"));
        tmux.await(s -> s.contains(PROMPT), WAIT, "the prompt");
    }

    @AfterEach
    void stop() throws Exception {
        if (tmux.running()) {
            System.out.println("The terminal at the end:\n" + tmux.screen());
        }
        tmux.close();
        ollama.close();
        if (Files.exists(data.resolve("stderr.txt"))) {
            System.out.print(Files.readString(data.resolve("stderr.txt")));
        }
    }

    @Test
    void shouldStreamStopWithCtrlCAndKeepTheSession() {
        Reply story = Reply.stream().paced(Duration.ofMillis(200));
        for (String word : "Era uma vez um gato que vivia numa casa grande ao pé do rio e todas as manhãs ia ver os barcos FIM"
                .split(" ")) {
            story = story.token(word + " ");
        }
        ollama.enqueue(story.done());

        tmux.type("Conta uma história");
        tmux.send("Enter");
        String partial = tmux.await(s -> s.contains("Era uma vez"), WAIT, "the first words of the reply");
        assertThat(partial).as("words show while the model is still writing").doesNotContain("FIM");

        tmux.send("C-c");
        assertThat(ollama.awaitClientDisconnect(Duration.ofSeconds(10)))
                .as("Ctrl-C closed the connection to Ollama").isTrue();
        String stopped = tmux.await(s -> s.contains("(stopped; what you saw is kept)"), WAIT, "the stop notice");
        assertThat(stopped).doesNotContain("FIM");

        ollama.enqueue(Reply.tokens("Continuo ", "aqui."));
        tmux.type("Ainda estás aí?");
        tmux.send("Enter");
        tmux.await(s -> s.contains("Continuo aqui."), WAIT, "the second reply");
        assertThat(ollama.chatBodies().get(1)).as("the stopped reply stays in the conversation")
                .contains("Conta uma história", "Era uma vez");
        assertThat(tmux.running()).isTrue();
    }

    @Test
    void shouldSayItIsWaitingWhileTheModelLoadsThenShowTheReplyInItsPlace() {
        ollama.enqueue(Reply.stream().pause(Duration.ofSeconds(4)).token("Pronto.").done());

        tmux.type("Olá");
        tmux.send("Enter");
        tmux.await(s -> s.contains("… waiting for the model (it may be loading; Ctrl-C stops)"), WAIT,
                "the waiting notice");
        String after = tmux.await(s -> s.contains("Pronto."), WAIT, "the reply");

        assertThat(after).doesNotContain("waiting for the model");
        assertThat(after).contains(PROMPT + "Olá\nPronto.");
    }

    @Test
    void shouldRecallEarlierLinesWithUpAndRunSlashCommands() {
        ollama.enqueue(Reply.tokens("Olá, Ana!"));
        tmux.type("Olá, sou a Ana");
        tmux.send("Enter");
        tmux.await(s -> s.contains("Olá, Ana!") && s.strip().endsWith(PROMPT.strip()), WAIT,
                "the reply, then the next prompt");

        tmux.send("Up");
        tmux.await(s -> s.strip().endsWith(PROMPT + "Olá, sou a Ana"), WAIT, "the previous line recalled by Up");
        tmux.send("C-u");
        tmux.type("/history");
        tmux.send("Enter");
        String history = tmux.await(s -> s.contains("2 messages:"), WAIT, "the history");
        assertThat(history).contains(PROMPT + "Olá, sou a Ana\nOlá, Ana!");

        tmux.type("/model");
        tmux.send("Enter");
        tmux.await(s -> s.contains("model llama3.2 (the setting); /model NAME changes it"), WAIT,
                "/model alone names the model (issue 27 item 10)");
        tmux.type("/model nonexistent");
        tmux.send("Enter");
        tmux.await(s -> s.contains("There is no model nonexistent here; there are: llama3.2:latest (ollama pull "
                + "nonexistent adds it)"), WAIT, "an unknown model refused against Ollama's list");
        tmux.type("/model llama3.2");
        tmux.send("Enter");
        tmux.await(s -> s.contains("(model llama3.2 from now on)"), WAIT, "an installed one taken (without :latest)");
        tmux.type("/model");
        tmux.send("Enter");
        tmux.await(s -> s.contains("model llama3.2 (chosen with /model; the setting says llama3.2)"), WAIT,
                "the choice shown");
        tmux.type("/nope");
        tmux.send("Enter");
        tmux.await(s -> s.contains("Unknown command /nope; /help lists them"), WAIT, "the unknown-command line");

        tmux.send("C-d");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (tmux.running() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(tmux.running()).as("Ctrl-D left the chat").isFalse();
    }
}
