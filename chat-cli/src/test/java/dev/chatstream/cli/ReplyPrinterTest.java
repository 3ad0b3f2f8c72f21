package dev.chatstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatstream.core.Action;
import dev.chatstream.core.ChatEvent;
import dev.chatstream.core.ErrorCode;
import dev.chatstream.core.Usage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What reaches the terminal: never an escape sequence the model or a server wrote (issue 22, finding 9). */
class ReplyPrinterTest {
    private static final String TITLE = "\u001b]0;you have been hacked\u0007";
    private static final String CLIPBOARD = "\u001b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\u0007";

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final ReplyPrinter printer = new ReplyPrinter(new PrintWriter(out), new PrintWriter(err), new Style(false),
            false, true);

    @Test
    void shouldStripControlCharactersButNewlinesAndTabsFromEverythingItPrints() {
        printer.send(new ChatEvent.Thinking("hmm" + TITLE));
        printer.send(new ChatEvent.Chunk("Olá" + TITLE + "\tmundo\r\n"));
        printer.send(new ChatEvent.Chunk("fim" + CLIPBOARD + "\u009b2J\u007f"));
        printer.send(new ChatEvent.ActionRequested(new Action("tool" + TITLE, Map.of("name", "x" + CLIPBOARD))));
        printer.send(new ChatEvent.InvalidAction("bad" + TITLE));
        printer.send(new ChatEvent.Failed(ErrorCode.LLM_FAILED, "boom" + CLIPBOARD));

        assertThat(out.toString()).isEqualTo("Olá]0;you have been hacked\tmundo\nfim]52;c;Y3VybCBldmlsLnNoIHwgc2g=2J\n");
        assertThat(out.toString() + err).doesNotContain("\u001b", "\u0007", "\r", "\u009b", "\u007f");
        assertThat(err.toString()).contains("thinking: hmm]0;you have been hacked", "boom]52;c;");
    }

    @Test
    void shouldLeavePlainTextAsItIs() {
        printer.send(new ChatEvent.Chunk("Ligo o ar 🌡️ a 22 °C —\tjá.\n"));
        printer.send(new ChatEvent.Done(Usage.unknown()));

        assertThat(out.toString()).isEqualTo("Ligo o ar 🌡️ a 22 °C —\tjá.\n");
        assertThat(ReplyPrinter.printable("日本語 \"x\"")).isEqualTo("日本語 \"x\"");
    }

    /** Issue 26: a reply the model cut at its length limit is never shown as complete. */
    @Test
    void shouldSayWhenTheModelCutTheReplyShort() {
        printer.send(new ChatEvent.Chunk("Era uma vez um gato que"));
        printer.send(new ChatEvent.Done(new Usage(40, 128, java.time.Duration.ofSeconds(2), java.time.Duration.ZERO,
                java.time.Duration.ZERO, java.time.Duration.ofSeconds(1), Usage.LENGTH)));

        assertThat(out.toString()).isEqualTo("Era uma vez um gato que\n");
        assertThat(err.toString()).contains("(cut short: the model reached its length limit; ask it to go on, or "
                + "raise num_predict / num_ctx)");
    }

    /** Issue 23: an interactive chat says on its waiting line what the reply waits for, then the reply erases it. */
    @Test
    void shouldSayOnTheWaitingLineThatTheModelLoadsOrThinksAndNeverInTheReply() {
        ReplyPrinter interactive = new ReplyPrinter(new PrintWriter(out), new PrintWriter(err), new Style(false), true,
                false);
        interactive.send(new ChatEvent.Phase(ChatEvent.Phase.Kind.LOADING_MODEL, 3));
        interactive.send(new ChatEvent.Phase(ChatEvent.Phase.Kind.THINKING, 900));
        interactive.send(new ChatEvent.Phase(ChatEvent.Phase.Kind.GENERATING, 1200));
        interactive.send(new ChatEvent.Chunk("Olá"));

        assertThat(err.toString()).isEqualTo("… loading the model (a cold start can take a while; Ctrl-C stops)"
                + "\r\u001b[K… thinking (Ctrl-C stops)\r\u001b[K");
        assertThat(out.toString()).isEqualTo("Olá");

        StringWriter piped = new StringWriter();
        new ReplyPrinter(new PrintWriter(piped), new PrintWriter(piped), new Style(false), false, false)
                .send(new ChatEvent.Phase(ChatEvent.Phase.Kind.LOADING_MODEL, 3));
        assertThat(piped.toString()).as("a script's output has the reply only").isEmpty();
    }
}
