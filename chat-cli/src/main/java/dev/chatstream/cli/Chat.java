package dev.chatstream.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/**
 * The {@code chat} command, run by the composition's main ({@code bin/chat}, or {@code java -jar chat.jar}) with
 * the {@link Wiring} it builds: parses the
 * command line with picocli, runs the command and exits with its documented code ({@code docs/cli.md}).
 * Errors are one line on standard error that says what to do; standard output carries only replies and
 * requested data.
 */
public final class Chat {
    private Chat() {
    }

    /** Runs {@code chat} with {@code args} on this process's streams and exits with its code. */
    public static void main(Wiring wiring, String[] args) {
        System.exit(run(Io.system(), wiring, args));
    }

    /** Runs {@code chat} with {@code args} against {@code io} and returns the exit code. */
    public static int run(Io io, Wiring wiring, String... args) {
        CommandLine cli = commandLine(io, wiring);
        return cli.execute(args);
    }

    static CommandLine commandLine(Io io, Wiring wiring) {
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                try {
                    return type.getDeclaredConstructor(Io.class).newInstance(io);
                } catch (NoSuchMethodException e) {
                    return CommandLine.defaultFactory().create(type);
                }
            }
        };
        CommandLine cli = new CommandLine(new ChatCommand(io, wiring), factory);
        cli.setOut(new PrintWriter(io.out(), true, StandardCharsets.UTF_8));
        cli.setErr(new PrintWriter(io.err(), true, StandardCharsets.UTF_8));
        cli.setColorScheme(CommandLine.Help.defaultColorScheme(io.colours() ? CommandLine.Help.Ansi.ON
                : CommandLine.Help.Ansi.OFF));
        cli.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            if (e instanceof CliException failure) {
                io.err().println("chat: " + failure.getMessage());
                return failure.exit().code();
            }
            io.err().println("chat: unexpected error: " + e + " (a bug; please report it with the command you ran)");
            return ExitCode.FAILED.code();
        });
        return cli;
    }
}
