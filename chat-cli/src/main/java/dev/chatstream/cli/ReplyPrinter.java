package dev.chatstream.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chatstream.core.ActionStatus;
import dev.chatstream.core.ChatEvent;
import dev.chatstream.core.ErrorCode;
import dev.chatstream.core.EventSink;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Shows one turn's events as they arrive: reply text on {@code text} the moment it comes, everything else
 * (actions, thinking, errors) distinct from it on {@code notes} — standard error in one-shot mode, so
 * standard output holds only the reply. Remembers the terminal event for the exit code and the
 * conversation id.
 */
final class ReplyPrinter implements EventSink {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintWriter text;
    private final PrintWriter notes;
    private final Style style;
    private final boolean interactive;
    private final boolean showThinking;
    private boolean textAtLineStart = true;
    private boolean thinking;
    private boolean started;
    private boolean waitingShown;
    private ChatEvent terminal;

    ReplyPrinter(PrintWriter text, PrintWriter notes, Style style, boolean interactive, boolean showThinking) {
        this.text = text;
        this.notes = notes;
        this.style = style;
        this.interactive = interactive;
        this.showThinking = showThinking;
    }

    /**
     * Interactive mode: says the model has not answered yet (it may be loading), on a line the first event
     * then overwrites. Does nothing once anything was shown.
     */
    synchronized void showWaiting() {
        if (!started && interactive) {
            notes.print(style.dim("… waiting for the model (it may be loading; Ctrl-C stops)"));
            notes.flush();
            waitingShown = true;
        }
    }

    /** {@code ⚡ done: …} in the action colour, or {@code ⚡ refused: …} (failed, cancelled…) as an error. */
    static String actionResult(Style style, ChatEvent.ActionResult r) {
        String line = "⚡ " + r.status().code().replace('_', ' ') + ": " + printable(r.message());
        return r.status() == ActionStatus.DONE ? style.action(line) : style.error(line);
    }

    @Override
    public synchronized boolean send(ChatEvent event) {
        if (event instanceof ChatEvent.Queued) {
            if (!started && interactive) {
                notes.print((waitingShown ? "\r\u001b[K" : "") + style.dim("… waiting for a free LLM backend (every "
                        + "one is busy; Ctrl-C stops)"));
                notes.flush();
                waitingShown = true;
            }
            return true;
        }
        if (event instanceof ChatEvent.Phase p) {
            String what = switch (p.kind()) {
                case LOADING_MODEL -> "… loading the model (a cold start can take a while; Ctrl-C stops)";
                case THINKING -> showThinking ? null : "… thinking (Ctrl-C stops)";
                case QUEUED, GENERATING -> null; // queued has its own line; the text comes next
            };
            if (what != null && !started && interactive) {
                notes.print((waitingShown ? "\r\u001b[K" : "") + style.dim(what));
                notes.flush();
                waitingShown = true;
            }
            return true;
        }
        started = true;
        if (waitingShown) {
            notes.print("\r\u001b[K"); // back to the line start, erase the waiting notice
            waitingShown = false;
        }
        switch (event) {
            case ChatEvent.Chunk c -> {
                endThinking();
                text.print(printable(c.content()));
                text.flush();
                if (!c.content().isEmpty()) {
                    textAtLineStart = c.content().endsWith("\n");
                }
            }
            case ChatEvent.Thinking t -> {
                if (showThinking) {
                    if (!thinking) {
                        note(style.dim("thinking: "), false);
                        thinking = true;
                    }
                    notes.print(style.dim(printable(t.content())));
                    notes.flush();
                }
            }
            case ChatEvent.FinalText f -> endThinking();
            case ChatEvent.Queued q -> throw new AssertionError("handled above");
            case ChatEvent.Phase p -> throw new AssertionError("handled above");
            case ChatEvent.Speech s -> {
            } // for a voice (--speak), not for the screen
            case ChatEvent.ActionRequested a -> note(style.action("⚡ action " + printable(a.action().tool()) + " "
                    + printable(json(a.action().args())) + a.ticket().filter(ChatEvent.ActionTicket::needsConfirmation)
                    .map(t -> " — waits for your confirmation until " + t.confirmBy().orElseThrow() + ": "
                            + (interactive ? "/confirm " + t.id() + " (or /cancel " + t.id() + ")"
                            : "POST /api/actions/" + t.id() + "/confirm (or /cancel), or use the chat page"))
                    .orElse("")), true);
            case ChatEvent.ActionResult r -> note(actionResult(style, r), true);
            case ChatEvent.InvalidAction i -> note(style.dim("(the model wrote an action that could not be read: "
                    + printable(i.message()) + ")"), true);
            case ChatEvent.Done d -> {
                finishText();
                if (d.usage().truncated()) {
                    note(style.dim("(cut short: the model reached its length limit; ask it to go on, or raise "
                            + "num_predict / num_ctx)"), true);
                }
                if (interactive && d.usage().completionTokens() > 0) {
                    note(style.dim("(" + d.usage().completionTokens() + " tokens, "
                            + Math.round(d.usage().tokensPerSecond() * 10) / 10.0 + " tokens/s)"), true);
                }
                terminal = d;
            }
            case ChatEvent.Failed f -> {
                finishText();
                if (f.code() == ErrorCode.CANCELLED) {
                    note(style.dim("(stopped; what you saw is kept)"), true);
                } else {
                    String wait = f.retryAfter().isZero() ? "" : " (retry after " + f.retryAfter().toSeconds() + " s)";
                    note(style.error("error: " + printable(f.message()) + wait), true);
                }
                terminal = f;
            }
        }
        return true;
    }

    /** The event that ended the turn, once it has. */
    synchronized Optional<ChatEvent> terminal() {
        return Optional.ofNullable(terminal);
    }

    private void endThinking() {
        if (thinking) {
            notes.println();
            notes.flush();
            thinking = false;
        }
    }

    private void finishText() {
        endThinking();
        if (!textAtLineStart) {
            text.println();
            text.flush();
            textAtLineStart = true;
        }
    }

    private void note(String line, boolean newline) {
        if (notes == text) {
            finishText();
        } else {
            text.flush();
        }
        if (newline) {
            notes.println(line);
        } else {
            notes.print(line);
        }
        notes.flush();
    }

    /**
     * Text from the model or a server as it may reach a terminal: without control characters other than newline
     * and tab (an escape sequence in a reply could set the window title, write the clipboard with OSC 52 or
     * redraw what the user sees; a carriage return could overwrite a line).
     */
    static String printable(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean control = (c < 0x20 && c != '\n' && c != '\t') || (c >= 0x7f && c <= 0x9f);
            if (control && out == null) {
                out = new StringBuilder(text.length()).append(text, 0, i);
            } else if (!control && out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }

    private static String json(Map<String, Object> args) {
        try {
            return JSON.writeValueAsString(new LinkedHashMap<>(args));
        } catch (JsonProcessingException e) {
            return args.toString();
        }
    }
}
