package dev.chatstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatstream.ollama.FakeOllama;
import dev.chatstream.ollama.FakeOllama.Reply;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one-shot chat against a fake Ollama over real HTTP, with the real SQLite store in a temp dir. */
class ChatCommandTest {
    private final FakeOllama ollama = FakeOllama.start();
    @TempDir
    Path data;

    @AfterEach
    void stop() {
        ollama.close();
    }

    private Cli cli() {
        return new Cli(data, ollama.baseUrl().toString());
    }

    @Test
    void shouldStreamOnlyTheReplyToStandardOutputAndExitZero() {
        ollama.enqueue(Reply.tokens("Vou ligar ", "o ar.\n", "ACTION: {\"tool\": \"homeassistant_call_service\", "
                + "\"args\": {\"domain\": \"climate\", \"temperature\": 22}}"));

        Cli.Run run = cli().run("Liga", "o", "ar");

        assertThat(run.exit()).isZero();
        assertThat(run.out()).isEqualTo("Vou ligar o ar.\n");
        assertThat(run.err()).contains("⚡ action homeassistant_call_service {\"domain\":\"climate\",\"temperature\":22}")
                .doesNotContain("ACTION:");
        assertThat(ollama.chatBodies().getFirst()).contains("\"content\":\"Liga o ar\"");
    }

    /** Issue 23 part 2: --speak says each sentence with the configured command, never the ACTION line or Markdown. */
    @Test
    void shouldSpeakTheReplySentenceBySentenceWithTheSpeakCommand() throws Exception {
        Path script = data.resolve("say.sh");
        Path spoken = data.resolve("spoken.txt");
        java.nio.file.Files.writeString(script, "cat >> '" + spoken + "'\n");
        ollama.enqueue(Reply.tokens("**Claro!** Vou ", "ligar o ar ", "da sala.\n", "ACTION: {\"tool\": "
                + "\"homeassistant_call_service\", \"args\": {\"domain\": \"climate\"}}"));

        Cli.Run run = cli().env("CHATSTREAM_SPEAK_COMMAND", "sh " + script).run("--speak", "Liga o ar");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("**Claro!** Vou ligar o ar da sala.\n");
        assertThat(java.nio.file.Files.readAllLines(spoken)).as("one run of the command per segment, in order, all "
                + "said before the command exits").containsExactly("Claro!", "Vou ligar o ar da sala.");

        Cli.Run none = cli().run("--speak", "Olá");
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err()).contains("--speak needs a text-to-speech command", "CHATSTREAM_SPEAK_COMMAND");

        ollama.enqueue(Reply.tokens("Olá. ", "Tudo bem?"));
        Cli.Run broken = cli().run("--speak", "--speak-command=" + data.resolve("no-such-tts"), "Olá");
        assertThat(broken.exit()).as("a voice that cannot speak does not lose the reply").isZero();
        assertThat(broken.out()).isEqualTo("Olá. Tudo bem?\n");
        assertThat(broken.err()).contains("could not start", "--speak-command");
    }

    @Test
    void shouldReadTheMessageFromStandardInput() {
        ollama.enqueue(Reply.tokens("Olá!"));

        Cli.Run run = cli().runWithInput("Olá, tudo bem?\n");

        assertThat(run.exit()).isZero();
        assertThat(run.out()).isEqualTo("Olá!\n");
        assertThat(ollama.chatBodies().getFirst()).contains("\"content\":\"Olá, tudo bem?\"");
    }

    @Test
    void shouldRefuseAnEmptyStandardInputWithUsageCode() {
        Cli.Run run = cli().runWithInput("  \n");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("chat: Nothing to send: standard input was empty; use chat \"message\" or "
                + "echo message | chat\n");
    }

    @Test
    void shouldContinueAStoredConversationById() {
        ollama.enqueue(Reply.tokens("Que nome bonito!")).enqueue(Reply.tokens("Tareco."));
        cli().run("O meu gato chama-se Tareco");

        Cli.Run second = cli().run("-c", "1", "Como se chama o meu gato?");

        assertThat(second.exit()).isZero();
        assertThat(second.out()).isEqualTo("Tareco.\n");
        assertThat(ollama.chatBodies().get(1)).contains("O meu gato chama-se Tareco", "Que nome bonito!");
    }

    @Test
    void shouldExitWithADistinctCodePerFailureKind() {
        FakeOllama down = FakeOllama.start();
        String downUrl = down.baseUrl().toString();
        down.close();
        Cli.Run unreachable = new Cli(data, downUrl).run("Olá");
        ollama.enqueue(Reply.status(404, "model \"llama3.2\" not found, try pulling it first"));
        Cli.Run noModel = cli().run("Olá");
        ollama.enqueue(Reply.stream().token("Vou ver ").errorLine("model crashed"));
        Cli.Run brokeOff = cli().run("Que tempo faz?");
        Cli.Run noConversation = cli().run("-c", "999", "Olá");

        assertThat(unreachable.exit()).isEqualTo(3);
        assertThat(unreachable.err()).startsWith("error: Ollama is not reachable at " + downUrl);
        assertThat(noModel.exit()).isEqualTo(4);
        assertThat(noModel.err()).contains("ollama pull llama3.2");
        assertThat(brokeOff.exit()).isEqualTo(5);
        assertThat(brokeOff.out()).as("what the user saw stays on stdout").isEqualTo("Vou ver \n");
        assertThat(noConversation.exit()).isEqualTo(8);
        assertThat(noConversation.err()).isEqualTo(
                "chat: Conversation 999 was not found; /history in a chat lists the open one, and leaving out -c "
                        + "(--conversation) starts a new one\n");
    }

    /** Issue 27 item 10: a mistyped flag gets a suggestion, and is named before standard input is read. */
    @Test
    void shouldSuggestTheFlagAMistypedOneMeantAndNameItBeforeReadingInput() {
        Cli.Run typo = cli().run("--modle=qwen3", "Olá");
        Cli.Run bogus = cli().run("--bogus"); // standard input is empty, not a terminal

        assertThat(typo.exit()).isEqualTo(2);
        assertThat(typo.err()).isEqualTo("chat: Unknown flag --modle; did you mean --model? (--help lists this "
                + "command's options, docs/configuration.md the settings)\n");
        assertThat(bogus.exit()).isEqualTo(2);
        assertThat(bogus.err()).startsWith("chat: ").contains("--bogus").doesNotContain("standard input");
        assertThat(ollama.chatBodies()).isEmpty();
    }

    @Test
    void shouldRefuseAnUnknownFlagSayingWhereToLook() {
        Cli.Run run = cli().run("--colour=yes", "Olá");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).startsWith("chat: Unknown flag --colour; known flags: --config, --host,")
                .endsWith(" (see --help for this command's own options)\n");
        assertThat(ollama.chatBodies()).isEmpty();
    }

    @Test
    void shouldTakeServerSettingsAsFlags() {
        ollama.enqueue(Reply.tokens("ok"));

        Cli.Run run = new Cli(data, "http://127.0.0.1:1").run("--ollama.url=" + ollama.baseUrl(), "--model=qwen3", "Olá");

        assertThat(run.exit()).isZero();
        assertThat(ollama.chatBodies().getFirst()).contains("\"model\":\"qwen3\"");
    }

    @Test
    void shouldChatWithAGgufModelInProcessWithoutOllama() {
        Path model = Path.of("../../shared/models/llama-2-tiny-random.gguf").toAbsolutePath().normalize();
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isRegularFile(model),
                "The test model " + model + " is absent, so this llama.cpp test is skipped (CI has it)");

        Cli.Run run = new Cli(data, "http://127.0.0.1:1").run("--llm=llamacpp", "--llamacpp.model=" + model,
                "--llamacpp.parallel=1", "--llamacpp.context=512", "--llamacpp.max.tokens=16", "Olá");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out().strip()).isNotEmpty();
        assertThat(ollama.chatBodies()).isEmpty();
    }

    @Test
    void shouldStoreTheTurnForTheDefaultUserShownByTheAdminCommands() {
        ollama.enqueue(Reply.tokens("Olá!"));
        cli().run("Olá");

        Cli.Run users = cli().run("users", "list");

        assertThat(users.exit()).isZero();
        assertThat(users.out()).containsPattern("(?m)^admin +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d +0$");
    }
}
