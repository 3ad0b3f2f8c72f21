package dev.chatstream.cli;

import dev.chatstream.core.Cancellation;
import dev.chatstream.core.ChatEvent;
import dev.chatstream.core.ChatOptions;
import dev.chatstream.core.UserId;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code chat}: with a message (arguments or standard input) a one-shot reply on standard output; with
 * neither, an interactive chat. Talks to Ollama directly with the local store, or to a chatstream server
 * with {@code --server}.
 */
@Command(name = "chat", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
        usageHelpAutoWidth = true,
        description = {"Chat with a local LLM, token by token.",
                "",
                "  chat                  an interactive chat (/help inside it)",
                "  chat \"message\"        one reply on standard output, for scripts",
                "  echo message | chat   the same, the message from standard input",
                "",
                "Talks to Ollama directly and keeps conversations in the local store, or to a chatstream "
                        + "server with --server and a token. Every setting of docs/configuration.md works here "
                        + "as a --key=value flag (e.g. --ollama.url=http://gpu:11434) or a CHATSTREAM_* variable.",
                ""},
        subcommands = {ServeCommand.class, UsersCommand.class, TokensCommand.class, MemoriesCommand.class,
                ContextCommand.class},
        footerHeading = "%nExit codes:%n", footer = {ExitCode.FOOTER})
final class ChatCommand extends Configured implements Callable<Integer> {

    @Option(names = "--server", paramLabel = "URL",
            description = "Chat through the chatstream server at URL (or CHATSTREAM_SERVER).")
    String server;

    @Option(names = "--token", paramLabel = "TOKEN",
            description = "API token for --server (or CHATSTREAM_TOKEN, better: a command line is visible to "
                    + "other users of the machine).")
    String token;

    @Option(names = {"-u", "--user"}, paramLabel = "NAME",
            description = "Without --server: whose conversations, memories and home to use (or CHATSTREAM_USER; "
                    + "default admin, the user the server creates first).")
    String user;

    @Option(names = {"-c", "--conversation"}, paramLabel = "ID",
            description = "Continue this stored conversation (its id: /history in a chat, or GET /api/conversations).")
    Long conversation;

    @Option(names = {"-m", "--model"}, paramLabel = "NAME",
            description = "Without --server: the model for this chat (default: the setting model, llama3.2; with "
                    + "--llm=openai, openai.model).")
    String model;

    @Option(names = "--thinking", description = "Show a thinking model's reasoning (dimmed, never mixed with the reply).")
    boolean thinking;

    @Option(names = "--speak", description = "Say each sentence of the reply as soon as it is complete, with the "
            + "--speak-command (no Markdown, code, links or emoji are read).")
    boolean speak;

    @Option(names = "--speak-command", paramLabel = "COMMAND", description = "The text-to-speech command --speak "
            + "runs for each sentence, given on its standard input (or CHATSTREAM_SPEAK_COMMAND), e.g. "
            + "'espeak-ng -v pt'.")
    String speakCommand;

    @Parameters(paramLabel = "MESSAGE", arity = "0..*",
            description = "The message; words are joined with spaces. Without one, reads standard input, or starts "
                    + "an interactive chat on a terminal.")
    List<String> words = new ArrayList<>();

    final Wiring wiring;

    ChatCommand(Io io, Wiring wiring) {
        super(io);
        this.wiring = java.util.Objects.requireNonNull(wiring, "wiring");
    }

    @Override
    public Integer call() {
        // the settings first: a mistyped flag is named before standard input is read (issue 27 item 10)
        java.nio.file.Path dataDir = wired(w -> w.dataDir(settings(), io.env()));
        String message = String.join(" ", words).strip();
        if (message.isEmpty() && !io.inTerminal()) {
            message = readStandardInput();
            if (message.isEmpty()) {
                throw new CliException(ExitCode.USAGE, "Nothing to send: standard input was empty; "
                        + "use chat \"message\" or echo message | chat");
            }
        }
        if (!words.isEmpty() && message.isEmpty()) {
            throw new CliException(ExitCode.USAGE, "The message is blank; use chat \"message\"");
        }
        try (Backend backend = backend(); Voice voice = voice()) {
            if (message.isEmpty()) {
                return new Repl(io, backend, dataDir, options(), conversation(), voice).run();
            }
            return oneShot(backend, message, voice);
        }
    }

    /** The voice {@code --speak} asks for; null without it. */
    private Voice voice() {
        if (!speak) {
            return null;
        }
        String command = speakCommand != null ? speakCommand : io.env().getOrDefault("CHATSTREAM_SPEAK_COMMAND", "");
        if (command.isBlank()) {
            throw new CliException(ExitCode.USAGE, "--speak needs a text-to-speech command: set --speak-command (or "
                    + "CHATSTREAM_SPEAK_COMMAND) to one that reads text on its standard input, e.g. "
                    + "--speak-command='espeak-ng -v pt' (Debian: apt-get install espeak-ng)");
        }
        return new Voice(command, new PrintWriter(io.err(), true, StandardCharsets.UTF_8));
    }

    private OptionalLong conversation() {
        return conversation == null ? OptionalLong.empty() : OptionalLong.of(conversation);
    }

    private int oneShot(Backend backend, String message, Voice voice) {
        PrintWriter out = new PrintWriter(io.out(), false, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(io.err(), false, StandardCharsets.UTF_8);
        ReplyPrinter printer = new ReplyPrinter(out, err, new Style(false), false, thinking);
        backend.chat(message, conversation(), options(),
                voice == null ? printer : voice.over(printer), new Cancellation());
        return switch (printer.terminal().orElseThrow()) {
            case ChatEvent.Failed f -> ExitCode.of(f.code()).code();
            default -> ExitCode.OK.code();
        };
    }

    private ChatOptions options() {
        ChatOptions options = ChatOptions.defaults().withIncludeThinking(thinking);
        return model == null ? options : options.withModel(model);
    }

    private Backend backend() {
        String url = server != null ? server : io.env().getOrDefault("CHATSTREAM_SERVER", "");
        if (!url.isBlank()) {
            return remote(url.strip());
        }
        String name = user != null ? user : io.env().getOrDefault("CHATSTREAM_USER", "admin");
        UserId id = userId(name);
        Wiring.Direct direct = wired(w -> w.direct(settings(), io.env(), id));
        return new DirectBackend(direct.store(), direct.streamer(), direct.conversations(), id, direct.description(),
                direct.llm());
    }

    private Backend remote(String url) {
        String secret = token != null ? token : io.env().getOrDefault("CHATSTREAM_TOKEN", "");
        if (secret.isBlank()) {
            throw new CliException(ExitCode.USAGE, "--server needs a token: set CHATSTREAM_TOKEN (or --token); "
                    + "`chat users add NAME` on the server's machine creates one");
        }
        if (user != null) {
            throw new CliException(ExitCode.USAGE, "--user is for direct mode; with --server the token says who you are");
        }
        if (model != null) {
            throw new CliException(ExitCode.USAGE, "--model is for direct mode; with --server the server's model "
                    + "setting chooses it");
        }
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            uri = null;
        }
        String scheme = uri == null || uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (uri == null || uri.getHost() == null || !(scheme.equals("http") || scheme.equals("https"))) {
            throw new CliException(ExitCode.USAGE, "--server must be an http:// or https:// URL such as "
                    + "http://127.0.0.1:8080, got \"" + url + "\"");
        }
        return new RemoteBackend(uri, secret.strip());
    }

    private String readStandardInput() {
        try {
            return new String(io.in().readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new CliException(ExitCode.USAGE, "Cannot read standard input: " + e.getMessage(), e);
        }
    }
}
