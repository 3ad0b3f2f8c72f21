package dev.chatstream.cli;

import dev.chatstream.core.Cancellation;
import dev.chatstream.core.ChatEvent;
import dev.chatstream.core.ChatException;
import dev.chatstream.core.ChatOptions;
import dev.chatstream.core.ErrorCode;
import dev.chatstream.core.Memory;
import dev.chatstream.core.MessageStatus;
import dev.chatstream.core.Role;
import dev.chatstream.core.StoredMessage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * The interactive chat: JLine line editing and history (kept in {@code <data dir>/history}), replies
 * streamed as they arrive, Ctrl-C stopping the reply (and the upstream) but not the session, Ctrl-D or
 * {@code /quit} leaving. Each reply continues the conversation until {@code /new}.
 */
final class Repl {
    static final String HELP = """
            /new           start a new conversation
            /history       the messages of this conversation
            /model [NAME]  show or change the model (direct mode)
            /memories      what the assistant remembers about you
            /confirm ID    run an action that waits for you (through a server with actions.auto)
            /cancel ID     cancel it
            /help          this list
            /quit          leave (or Ctrl-D)
            Ctrl-C stops a reply; what you saw of it is kept.""";

    /** A model that says nothing for this long gets a notice, so a loading model does not look like a hang. */
    static final java.time.Duration WAITING_NOTICE_AFTER = java.time.Duration.ofMillis(1500);

    private final Io io;
    private final Backend backend;
    private final Path dataDir;
    private ChatOptions options;
    private OptionalLong conversation;
    private Terminal terminal;
    private PrintWriter screen;
    private Style style;

    private final Voice voice;

    Repl(Io io, Backend backend, Path dataDir, ChatOptions options, OptionalLong conversation, Voice voice) {
        this.io = io;
        this.voice = voice;
        this.backend = backend;
        this.dataDir = dataDir;
        this.options = options;
        this.conversation = conversation;
    }

    int run() {
        try (Terminal t = TerminalBuilder.builder().system(true).encoding(StandardCharsets.UTF_8).build()) {
            terminal = t;
            screen = t.writer();
            style = new Style(io.colours());
            LineReader reader = LineReaderBuilder.builder().terminal(t).appName("chat")
                    .variable(LineReader.HISTORY_FILE, historyFile()).build();
            screen.println(style.dim("chat: " + backend.describe() + ". /help for commands, Ctrl-D leaves."));
            while (true) {
                String line;
                try {
                    line = reader.readLine(style.prompt("you› "));
                } catch (UserInterruptException e) {
                    continue; // Ctrl-C at the prompt clears the line
                } catch (EndOfFileException e) {
                    return ExitCode.OK.code();
                }
                line = line.strip();
                if (line.isEmpty()) {
                    continue;
                }
                if (line.startsWith("/")) {
                    if (!command(line)) {
                        return ExitCode.OK.code();
                    }
                    continue;
                }
                turn(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open the terminal: " + e.getMessage(), e);
        }
    }

    private void turn(String message) {
        Cancellation stop = new Cancellation();
        Terminal.SignalHandler previous = terminal.handle(Terminal.Signal.INT,
                signal -> {
                    stop.cancel(ErrorCode.CANCELLED, "stopped with Ctrl-C");
                    if (voice != null) {
                        voice.silence();
                    }
                });
        // Keys typed while the reply prints (Up, the next message) must not be echoed raw into it (as "^[[A"):
        // the terminal keeps them, and the next prompt's line editor reads them as keys.
        boolean echo = terminal.echo(false);
        try {
            ReplyPrinter printer = new ReplyPrinter(screen, screen, style, true, options.includeThinking());
            Thread waiting = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(WAITING_NOTICE_AFTER.toMillis());
                    printer.showWaiting();
                } catch (InterruptedException e) {
                    // the turn ended first
                }
            });
            try {
                backend.chat(message, conversation, options, voice == null ? printer : voice.over(printer), stop);
            } finally {
                waiting.interrupt();
            }
            switch (printer.terminal().orElseThrow()) {
                case ChatEvent.Done d -> conversation = d.conversationId().isPresent() ? d.conversationId() : conversation;
                case ChatEvent.Failed f -> conversation = f.conversationId().isPresent() ? f.conversationId()
                        : conversation;
                default -> {
                }
            }
        } catch (CliException | ChatException e) { // refused before the reply, or the store failed: say so, go on
            screen.println(style.error("error: " + e.getMessage()));
        } finally {
            terminal.echo(echo);
            terminal.handle(Terminal.Signal.INT, previous);
            screen.flush();
        }
    }

    /** Runs a slash command; false when the session should end. */
    private boolean command(String line) {
        String[] parts = line.split("\\s+", 2);
        String arg = parts.length > 1 ? parts[1].strip() : "";
        try {
            switch (parts[0]) {
                case "/quit", "/exit" -> {
                    return false;
                }
                case "/help" -> screen.println(HELP);
                case "/new" -> {
                    conversation = OptionalLong.empty();
                    screen.println(style.dim("(a new conversation starts with your next message)"));
                }
                case "/history" -> history();
                case "/model" -> model(arg);
                case "/memories" -> memories();
                case "/confirm", "/cancel" -> decide(parts[0].equals("/confirm"), arg);
                default -> screen.println(style.error("Unknown command " + parts[0] + "; /help lists them"));
            }
        } catch (CliException | ChatException e) {
            screen.println(style.error("error: " + e.getMessage()));
        }
        screen.flush();
        return true;
    }

    private void history() {
        if (conversation.isEmpty()) {
            screen.println(style.dim("(no messages yet: this conversation starts with your next message)"));
            return;
        }
        List<StoredMessage> messages = backend.messages(conversation.getAsLong());
        screen.println(style.dim("conversation " + conversation.getAsLong() + ", " + messages.size() + " messages:"));
        for (StoredMessage m : messages) {
            String who = m.role() == Role.USER ? style.prompt("you› ") : "";
            String mark = m.status() == MessageStatus.COMPLETE ? "" : style.dim(" (" + m.status().wireName() + ")");
            screen.println(who + m.content() + mark);
        }
    }

    private void model(String name) {
        if (!backend.choosesModel()) {
            screen.println(style.error("The server's model setting chooses the model; /model works without --server"));
            return;
        }
        java.util.Optional<String> configured = backend.model();
        if (name.isEmpty()) {
            screen.println(options.modelOverride().map(m -> "model " + m + " (chosen with /model"
                    + configured.map(c -> "; the setting says " + c).orElse("") + ")")
                    .orElse(configured.map(c -> "model " + c + " (the setting); /model NAME changes it")
                            .orElse("the configured model (see the first line); /model NAME changes it")));
            return;
        }
        List<String> models;
        try {
            models = backend.models();
        } catch (dev.chatstream.core.ChatException e) {
            options = options.withModel(name);
            screen.println(style.dim("(model " + name + " from now on; it could not be checked: " + e.getMessage()
                    + ")"));
            return;
        }
        if (!models.isEmpty() && !models.contains(name) && !models.contains(name + ":latest")) {
            screen.println(style.error("There is no model " + name + " here; there are: " + String.join(", ",
                    models.subList(0, Math.min(12, models.size()))) + (models.size() > 12 ? ", …" : "")
                    + (models.stream().anyMatch(m -> m.contains(":")) ? " (ollama pull " + name + " adds it)" : "")));
            return;
        }
        options = options.withModel(name);
        screen.println(style.dim("(model " + name + " from now on)"));
    }

    private void decide(boolean confirm, String id) {
        if (id.isEmpty()) {
            screen.println(style.error((confirm ? "/confirm" : "/cancel") + " needs the action's id, e.g. "
                    + (confirm ? "/confirm" : "/cancel") + " act_Qm9yZGVy…"));
            return;
        }
        screen.println(ReplyPrinter.actionResult(style, backend.decideAction(id, confirm)));
    }

    private void memories() {
        List<Memory> memories = backend.memories();
        if (memories.isEmpty()) {
            screen.println(style.dim("(no memories; chat memories add --user NAME \"text\" adds one)"));
        }
        for (Memory m : memories) {
            screen.println(style.dim("#" + m.id() + " ") + m.text());
        }
    }

    private Path historyFile() {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            // no saved history then; line editing still works
        }
        return dataDir.resolve("history");
    }
}
