package dev.chatstream.cli;

import dev.chatstream.core.HomeContext;
import dev.chatstream.core.InvalidRequestException;
import dev.chatstream.core.UserId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code chat context import|show --user NAME}: a user's home (devices, areas, aliases) as JSON. */
@Command(name = "context", mixinStandardHelpOptions = true,
        description = "Import and show a user's home context: the devices the prompt describes (local store).",
        subcommands = {ContextCommand.Import.class, ContextCommand.Show.class})
final class ContextCommand extends Configured {

    ContextCommand(Io io) {
        super(io);
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = {"Replace a user's home with the JSON document in FILE (- for standard input). The format is "
                    + "that of GET/PUT /api/context, e.g. {\"devices\": [{\"entity_id\": \"climate.sala\", \"name\": "
                    + "\"Ar da sala\", \"area\": \"Sala\", \"aliases\": [\"AC\"]}]}. A bad file changes nothing."})
    static final class Import extends Configured implements Callable<Integer> {
        @Option(names = {"-u", "--user"}, required = true, paramLabel = "NAME", description = "Whose home.")
        String user;

        @Parameters(paramLabel = "FILE", description = "The JSON document.")
        String file;

        Import(Io io) {
            super(io);
        }

        @Override
        public Integer call() {
            HomeContext home;
            try {
                byte[] json = file.equals("-") ? io.in().readAllBytes() : Files.readAllBytes(Path.of(file));
                home = wiring().parseHome(json);
            } catch (IOException e) {
                throw new CliException(ExitCode.USAGE, "Cannot read " + file + ": " + e.getMessage(), e);
            } catch (InvalidRequestException e) {
                throw new CliException(ExitCode.USAGE, file + ": " + e.getMessage().replace("The body", "The file")
                        + "; nothing was changed", e);
            }
            try (Wiring.LocalStore store = openStore()) {
                UserId id = existingUser(store, user);
                storeCall(() -> {
                    store.homes().replaceHomeContext(id, home);
                    return null;
                });
                io.err().println("Imported " + home.devices().size() + " devices for " + id
                        + ". A running server sees the change within 10 minutes (its cache); PUT /api/context "
                        + "takes effect at once.");
            }
            return ExitCode.OK.code();
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Print a user's home as JSON on standard output (the format import reads).")
    static final class Show extends Configured implements Callable<Integer> {
        @Option(names = {"-u", "--user"}, required = true, paramLabel = "NAME", description = "Whose home.")
        String user;

        Show(Io io) {
            super(io);
        }

        @Override
        public Integer call() {
            try (Wiring.LocalStore store = openStore()) {
                UserId id = existingUser(store, user);
                io.out().println(wiring().formatHome(storeCall(() -> store.homes().homeContext(id))));
            }
            return ExitCode.OK.code();
        }
    }
}
