package dev.chatstream.cli;

import java.io.UncheckedIOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code chat serve}: the HTTP server, with the same settings as {@code bin/chatstream-server}. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run the chatstream HTTP server until Ctrl-C or SIGTERM.",
                "Settings are --key=value flags, CHATSTREAM_* variables or --config=FILE (docs/configuration.md), "
                        + "as for bin/chatstream-server, e.g. chat serve --port=8081 --host=0.0.0.0"})
final class ServeCommand extends Configured implements Callable<Integer> {

    ServeCommand(Io io) {
        super(io);
    }

    @Override
    public Integer call() throws InterruptedException {
        Wiring.Served server;
        try {
            server = wired(w -> w.serve(settings(), io.env()));
        } catch (UncheckedIOException e) {
            throw new CliException(ExitCode.USAGE, e.getMessage(), e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "chatstream-shutdown"));
        io.err().println(server.banner());
        server.startupProblem().ifPresent(io.err()::println); // after the banner: the check may take a moment
        server.awaitStop();
        return ExitCode.OK.code();
    }
}
