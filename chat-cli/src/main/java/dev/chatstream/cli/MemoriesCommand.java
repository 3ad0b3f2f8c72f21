package dev.chatstream.cli;

import dev.chatstream.core.Memory;
import dev.chatstream.core.UserId;
import java.util.ArrayList;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code chat memories add|list|delete --user NAME}: what the assistant remembers about a user. */
@Command(name = "memories", mixinStandardHelpOptions = true,
        description = "Add, list and delete a user's memories (local store); relevant ones reach the prompt.",
        subcommands = {MemoriesCommand.Add.class, MemoriesCommand.Listing.class, MemoriesCommand.Delete.class})
final class MemoriesCommand extends Configured {

    MemoriesCommand(Io io) {
        super(io);
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Remember a text for a user (at most 2000 characters); prints the new memory's id.")
    static final class Add extends Configured implements Callable<Integer> {
        @Option(names = {"-u", "--user"}, required = true, paramLabel = "NAME", description = "Whose memory.")
        String user;

        @Parameters(paramLabel = "TEXT", arity = "1..*", description = "The text; words are joined with spaces.")
        java.util.List<String> words = new ArrayList<>();

        Add(Io io) {
            super(io);
        }

        @Override
        public Integer call() {
            try (Wiring.LocalStore store = openStore()) {
                UserId id = existingUser(store, user);
                Memory m = storeCall(() -> store.memories().add(id, String.join(" ", words)));
                io.out().println(m.id());
                io.err().println("Remembered #" + m.id() + " for " + id + ".");
            }
            return ExitCode.OK.code();
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List a user's memories, oldest first.")
    static final class Listing extends Configured implements Callable<Integer> {
        @Option(names = {"-u", "--user"}, required = true, paramLabel = "NAME", description = "Whose memories.")
        String user;

        Listing(Io io) {
            super(io);
        }

        @Override
        public Integer call() {
            try (Wiring.LocalStore store = openStore()) {
                UserId id = existingUser(store, user);
                io.out().printf("%-5s %-16s %s%n", "ID", "ADDED", "TEXT");
                for (Memory m : storeCall(() -> store.memories().list(id))) {
                    io.out().printf("%-5d %-16s %s%n", m.id(), when(m.createdAt()), m.text());
                }
            }
            return ExitCode.OK.code();
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Forget one of a user's memories.")
    static final class Delete extends Configured implements Callable<Integer> {
        @Option(names = {"-u", "--user"}, required = true, paramLabel = "NAME", description = "Whose memory.")
        String user;

        @Parameters(paramLabel = "ID", description = "The memory's id (chat memories list).")
        long memoryId;

        Delete(Io io) {
            super(io);
        }

        @Override
        public Integer call() {
            try (Wiring.LocalStore store = openStore()) {
                UserId id = existingUser(store, user);
                if (!storeCall(() -> store.memories().delete(id, memoryId))) {
                    throw new CliException(ExitCode.NOT_FOUND, "User " + id + " has no memory #" + memoryId
                            + "; `chat memories list --user " + id + "` shows them");
                }
                io.err().println("Forgot #" + memoryId + ".");
            }
            return ExitCode.OK.code();
        }
    }
}
