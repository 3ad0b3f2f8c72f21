package dev.chatstream.app;

import dev.chatstream.cli.CliException;
import dev.chatstream.cli.RemoteBackend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chatstream.core.ActionStatus;
import dev.chatstream.homeassistant.FakeHomeAssistant;
import dev.chatstream.ollama.FakeOllama;
import dev.chatstream.ollama.FakeOllama.Reply;
import dev.chatstream.core.Cancellation;
import dev.chatstream.core.ChatEvent;
import dev.chatstream.core.ChatOptions;
import dev.chatstream.core.ErrorCode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code chat --server}: the command as a client of a real chatstream server on a random port. */
class RemoteChatTest {
    private final FakeOllama ollama = FakeOllama.start();
    @TempDir
    Path data;
    private Server server;
    private String token;

    @BeforeEach
    void start() {
        token = new Cli(data, ollama.baseUrl().toString()).run("users", "add", "ana").out().strip();
        server = Server.start(AppConfig.load(List.of("--port=0", "--data.dir=" + data,
                "--ollama.url=" + ollama.baseUrl()), Map.of()), System.out);
    }

    @AfterEach
    void stop() {
        server.close();
        ollama.close();
    }

    private Cli remote(String withToken) {
        return new Cli(data.resolve("client"), "http://127.0.0.1:1")
                .env("CHATSTREAM_SERVER", server.baseUri().toString()).env("CHATSTREAM_TOKEN", withToken);
    }

    @Test
    void shouldStreamAReplyThroughTheServerAndContinueTheConversation() {
        ollama.enqueue(Reply.tokens("Vou ligar ", "o ar.\n", "ACTION: {\"tool\": \"homeassistant_call_service\", "
                + "\"args\": {\"domain\": \"climate\"}}")).enqueue(Reply.tokens("Já está."));

        Cli.Run first = remote(token).run("Liga o ar");
        Cli.Run second = remote(token).run("-c", "1", "Obrigado");

        assertThat(first.exit()).isZero();
        assertThat(first.out()).isEqualTo("Vou ligar o ar.\n");
        assertThat(first.err()).contains("⚡ action homeassistant_call_service {\"domain\":\"climate\"}");
        assertThat(second.exit()).isZero();
        assertThat(second.out()).isEqualTo("Já está.\n");
        assertThat(ollama.chatBodies().get(1)).contains("Liga o ar", "Vou ligar o ar.");
    }

    @Test
    void shouldShowWhatBecameOfActionsTheServerRuns() {
        try (FakeHomeAssistant ha = FakeHomeAssistant.start("ha-token")
                .entity("light.sala", "Luz da sala", "Sala", "off")
                .entity("lock.porta", "Porta da frente", "Entrada", "locked")) {
            server.close();
            server = Server.start(AppConfig.load(List.of("--port=0", "--data.dir=" + data,
                    "--ollama.url=" + ollama.baseUrl(), "--homeassistant.url=" + ha.baseUrl(), "--actions.auto=true",
                    "--homeassistant.policy.file=" + ServerFixture.defaultPolicyNaming("ana")),
                    Map.of("CHATSTREAM_HOMEASSISTANT_TOKEN", "ha-token")), System.out);
            String call = "ACTION: {\"tool\": \"homeassistant_call_service\", \"args\": {\"domain\": ";
            ollama.enqueue(Reply.tokens("Acendo.\n", call + "\"light\", \"service\": \"turn_on\", "
                    + "\"entity_id\": \"light.sala\"}}"));
            ollama.enqueue(Reply.tokens("Abro.\n", call + "\"lock\", \"service\": \"unlock\", "
                    + "\"entity_id\": \"lock.porta\"}}"));

            Cli.Run light = remote(token).run("Acende a luz");
            Cli.Run lock = remote(token).run("Abre a porta");

            assertThat(light.exit()).isZero();
            assertThat(light.out()).isEqualTo("Acendo.\n");
            assertThat(light.err()).contains("⚡ done: Home Assistant ran light.turn_on on light.sala");
            assertThat(lock.exit()).isZero();
            assertThat(lock.err()).containsPattern("— waits for your confirmation until \\S+Z: POST "
                    + "/api/actions/act_[A-Za-z0-9_-]+/confirm \\(or /cancel\\), or use the chat page");
            assertThat(ha.state("lock.porta")).isEqualTo("locked");

            // What the REPL's /confirm and /cancel call
            String id = lock.err().replaceAll("(?s).*POST /api/actions/(act_[A-Za-z0-9_-]+)/confirm.*", "$1");
            try (RemoteBackend backend = new RemoteBackend(server.baseUri(), token)) {
                assertThatThrownBy(() -> backend.decideAction("act_nope", true)).isInstanceOf(CliException.class)
                        .hasMessage("Action act_nope was not found; ask the assistant again");
                ChatEvent.ActionResult done = backend.decideAction(id, true);
                assertThat(done.status()).isEqualTo(ActionStatus.DONE);
                assertThat(done.message()).isEqualTo("Home Assistant ran lock.unlock on lock.porta");
                assertThat(ha.state("lock.porta")).isEqualTo("unlocked");
                assertThatThrownBy(() -> backend.decideAction(id, false)).isInstanceOf(CliException.class)
                        .hasMessageContaining("was already confirmed or cancelled");
            }
        }
    }

    @Test
    void shouldExitSixForARefusedTokenAndThreeForAServerThatIsNotThere() {
        Cli.Run refused = remote("cs_wrong").run("Olá");
        String url = server.baseUri().toString();
        Cli toNowhere = remote(token);
        server.close();
        Cli.Run gone = toNowhere.run("Olá");
        server = Server.start(AppConfig.load(List.of("--port=0", "--data.dir=" + data), Map.of()), System.out);

        assertThat(refused.exit()).isEqualTo(6);
        assertThat(refused.err()).isEqualTo("chat: This token is not valid (unknown or revoked); ask for a new one\n");
        assertThat(gone.exit()).isEqualTo(3);
        assertThat(gone.err()).isEqualTo("chat: Cannot reach the chatstream server at " + url
                + " (connection refused); is it running (chat serve) and is --server right?\n");
        assertThat(ollama.chatBodies()).isEmpty();
    }

    /** Issue 27 item 10: an unknown -c is said in the command's words, not the API's ("conversation_id"). */
    @Test
    void shouldSayAnUnknownConversationInTheCommandsWords() {
        Cli.Run run = remote(token).run("-c", "999", "oi");

        assertThat(run.exit()).isEqualTo(8);
        assertThat(run.err()).isEqualTo("chat: Conversation 999 was not found; /history in a chat lists the open one, "
                + "and leaving out -c (--conversation) starts a new one\n");
        assertThat(ollama.chatBodies()).isEmpty();
    }

    @Test
    void shouldReportAnUpstreamFailureWithItsExitCode() {
        ollama.enqueue(Reply.status(404, "model \"llama3.2\" not found, try pulling it first"));

        Cli.Run run = remote(token).run("Olá");

        assertThat(run.exit()).isEqualTo(4);
        assertThat(run.err()).contains("ollama pull llama3.2");
    }

    @Test
    void shouldReadTheUsersMemoriesAndConversationThroughTheApi() {
        new Cli(data, ollama.baseUrl().toString()).run("memories", "add", "--user", "ana", "Gosto de chá");
        ollama.enqueue(Reply.tokens("Olá!"));
        remote(token).run("Olá");

        try (RemoteBackend backend = new RemoteBackend(server.baseUri(), token)) {
            assertThat(backend.memories()).extracting(dev.chatstream.core.Memory::text).containsExactly("Gosto de chá");
            assertThat(backend.messages(1)).extracting(dev.chatstream.core.StoredMessage::content)
                    .containsExactly("Olá", "Olá!");
        }
    }

    /**
     * Ctrl-C closes Ollama's request; the stopped first reply of a new conversation is kept in that conversation
     * (known from the response's start: issue 27 item 1), and the next message continues it with its history.
     */
    @Test
    void shouldCloseTheConnectionWhenStoppedSoTheServerStopsOllamaAndContinueTheSameConversation() throws Exception {
        ollama.enqueue(Reply.stream().token("Era ").token("uma ").stall()) // then silence: nothing to write to
                .enqueue(Reply.tokens("vez."));
        java.util.List<ChatEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.CountDownLatch firstWords = new java.util.concurrent.CountDownLatch(2);
        Cancellation stop = new Cancellation();

        try (RemoteBackend backend = new RemoteBackend(server.baseUri(), token)) {
            Thread turn = Thread.ofVirtual().start(() -> backend.chat("Conta uma história", OptionalLong.empty(),
                    ChatOptions.defaults(), event -> {
                        events.add(event);
                        firstWords.countDown();
                        return true;
                    }, stop));
            assertThat(firstWords.await(10, TimeUnit.SECONDS)).isTrue();
            stop.cancel(ErrorCode.CANCELLED, "stopped with Ctrl-C");
            assertThat(turn.join(Duration.ofSeconds(10))).as("chat returned once stopped").isTrue();
            assertThat(ollama.awaitClientDisconnect(Duration.ofSeconds(10))).as("the server closed Ollama").isTrue();

            ChatEvent.Failed stopped = (ChatEvent.Failed) events.stream().filter(ChatEvent::terminal)
                    .reduce((a, b) -> b).orElseThrow();
            assertThat(events).filteredOn(ChatEvent::terminal).hasSize(1);
            assertThat(stopped.code()).isEqualTo(ErrorCode.CANCELLED);
            assertThat(stopped.message()).isEqualTo("stopped with Ctrl-C");
            long id = stopped.conversationId().orElseThrow(() -> new AssertionError("no conversation id"));
            awaitStored(backend, id, 2);

            backend.chat("continua", OptionalLong.of(id), ChatOptions.defaults(), event -> true, new Cancellation());

            assertThat(backend.messages(id)).extracting(dev.chatstream.core.StoredMessage::content)
                    .containsExactly("Conta uma história", "Era uma", "continua", "vez.");
        }
        assertThat(ollama.chatBodies().getLast()).as("the model got the stopped turn as history")
                .contains("\"Conta uma história\"").contains("\"Era uma\"");
        java.net.http.HttpResponse<String> list = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1).build().send(java.net.http.HttpRequest.newBuilder(
                        server.baseUri().resolve("/api/conversations")).header("Authorization", "Bearer " + token)
                        .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(list.body()).as("one conversation, not two").containsOnlyOnce("\"id\"");
    }

    /** The stopped turn is stored by the server's turn thread, just after the stop: wait for it. */
    private static void awaitStored(RemoteBackend backend, long id, int messages) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (backend.messages(id).size() < messages && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(backend.messages(id)).hasSize(messages);
    }

    /** Issue 19: the connection drops mid-reply; chat --server resumes from the last event, every word once. */
    @Test
    void shouldResumeADroppedConnectionWithEveryWordOnce() throws Exception {
        StringBuilder words = new StringBuilder();
        Reply reply = Reply.stream();
        for (int i = 1; i <= 40; i++) {
            reply = reply.token("w" + i + " ").pause(Duration.ofMillis(40));
            words.append("w").append(i).append(' ');
        }
        ollama.enqueue(reply.done());
        StringBuilder shown = new StringBuilder();
        java.util.List<ChatEvent> terminals = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.CountDownLatch some = new java.util.concurrent.CountDownLatch(5);

        try (CuttableProxy proxy = new CuttableProxy(server.port());
             RemoteBackend backend = new RemoteBackend(java.net.URI.create("http://127.0.0.1:" + proxy.port()), token)) {
            Thread turn = Thread.ofVirtual().start(() -> backend.chat("Conta", OptionalLong.empty(),
                    ChatOptions.defaults(), event -> {
                        if (event instanceof ChatEvent.Chunk c) {
                            synchronized (shown) {
                                shown.append(c.content());
                            }
                            some.countDown();
                        } else if (event.terminal()) {
                            terminals.add(event);
                        }
                        return true;
                    }, new Cancellation()));
            assertThat(some.await(30, TimeUnit.SECONDS)).isTrue();
            proxy.cut();
            assertThat(turn.join(Duration.ofSeconds(60))).as("chat returned").isTrue();
        }

        assertThat(terminals).singleElement().isInstanceOf(ChatEvent.Done.class);
        assertThat(shown.toString()).isEqualTo(words.toString());
        assertThat(ollama.chatBodies()).as("the model ran once").hasSize(1);
    }

    @Test
    void shouldRefuseDirectModeOptionsWithAServer() {
        Cli.Run run = remote(token).run("--user", "rui", "Olá");
        Cli.Run noToken = remote("").run("Olá");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("chat: --user is for direct mode; with --server the token says who you are\n");
        assertThat(noToken.exit()).isEqualTo(2);
        assertThat(noToken.err()).startsWith("chat: --server needs a token: set CHATSTREAM_TOKEN (or --token)");
    }
}
