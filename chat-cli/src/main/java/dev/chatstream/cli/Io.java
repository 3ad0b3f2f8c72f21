package dev.chatstream.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a command talks to: standard streams, the environment, and whether input and output are terminals.
 * Tests pass their own; {@link #system()} is the real process's.
 *
 * @param in            standard input
 * @param out           standard output: replies and requested data only, never diagnostics
 * @param err           standard error: diagnostics, errors, progress
 * @param env           the environment variables
 * @param inTerminal    whether standard input is a terminal (no arguments then means an interactive chat)
 * @param outTerminal   whether standard output is a terminal (colours are used only then)
 */
public record Io(InputStream in, PrintStream out, PrintStream err, Map<String, String> env, boolean inTerminal,
        boolean outTerminal) {

    /** This process's streams and environment. */
    public static Io system() {
        return new Io(System.in, new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8), new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err),
                true, StandardCharsets.UTF_8), System.getenv(), isTerminal(0), isTerminal(1));
    }

    /** Colours only on a terminal, and never with {@code NO_COLOR} set (https://no-color.org). */
    boolean colours() {
        String noColor = env.get("NO_COLOR");
        return outTerminal && (noColor == null || noColor.isEmpty()) && !"dumb".equals(env.get("TERM"));
    }

    /** Linux: a descriptor is a terminal when it points at a tty device. Elsewhere: what {@code System.console()} says. */
    private static boolean isTerminal(int fd) {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (java.io.IOException | UnsupportedOperationException e) {
            return System.console() != null;
        }
    }
}
