package dev.chatstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatstream.core.HomeContext;
import dev.chatstream.core.UserId;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What {@code chat} says about itself without any adapter: version, help, exit codes, colours. */
class ChatHelpTest {
    /** Help and version need nothing wired; a command that asks for anything fails the test. */
    private static final Wiring UNWIRED = new Wiring() {
        @Override
        public Path dataDir(List<String> settings, Map<String, String> env) {
            throw new AssertionError("not wired in this test");
        }

        @Override
        public LocalStore openStore(List<String> settings, Map<String, String> env) {
            throw new AssertionError("not wired in this test");
        }

        @Override
        public Direct direct(List<String> settings, Map<String, String> env, UserId user) {
            throw new AssertionError("not wired in this test");
        }

        @Override
        public Served serve(List<String> settings, Map<String, String> env) {
            throw new AssertionError("not wired in this test");
        }

        @Override
        public HomeContext parseHome(byte[] json) {
            throw new AssertionError("not wired in this test");
        }

        @Override
        public String formatHome(HomeContext home) {
            throw new AssertionError("not wired in this test");
        }
    };

    private record Run(int exit, String out) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Io io = new Io(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), Map.of(), false, false);
        int exit = Chat.run(io, UNWIRED, args);
        return new Run(exit, out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void shouldPrintVersionAndHelp() {
        Run version = run("--version");
        Run help = run("--help");

        assertThat(version.exit()).isZero();
        assertThat(version.out()).startsWith("chat (chatstream) 0.1.0-SNAPSHOT\nJava ");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("Usage: chat ", "serve", "users", "tokens", "memories", "context",
                "Exit codes:");
        for (ExitCode code : ExitCode.values()) {
            assertThat(help.out()).as("the help lists exit code %s", code).containsPattern("(?m)^ *" + code.code() + "  ");
        }
    }

    @Test
    void shouldDocumentEveryExitCodeInCliMd() throws Exception {
        String doc = java.nio.file.Files.readString(Path.of("../docs/cli.md"));

        for (ExitCode code : ExitCode.values()) {
            assertThat(doc).as("docs/cli.md lists exit code %s", code)
                    .contains("| " + code.code() + " | " + code.meaning() + " |");
        }
    }

    @Test
    void shouldUseColoursOnlyOnATerminalWithoutNoColor() {
        Io terminal = new Io(System.in, System.out, System.err, java.util.Map.of(), true, true);
        Io noColor = new Io(System.in, System.out, System.err, java.util.Map.of("NO_COLOR", "1"), true, true);
        Io piped = new Io(System.in, System.out, System.err, java.util.Map.of(), true, false);

        assertThat(terminal.colours()).isTrue();
        assertThat(noColor.colours()).isFalse();
        assertThat(piped.colours()).isFalse();
        assertThat(new Style(false).error("x")).isEqualTo("x");
        assertThat(new Style(true).error("x")).isEqualTo("\u001b[31mx\u001b[0m");
    }
}
