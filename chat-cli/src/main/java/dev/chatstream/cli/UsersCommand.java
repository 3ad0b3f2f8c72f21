package dev.chatstream.cli;

import dev.chatstream.core.UserId;
import dev.chatstream.core.Accounts;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code chat users add|list}: the users of the local store (the server's, when they share a data dir). */
@Command(name = "users", mixinStandardHelpOptions = true, description = "Add and list users (local store).",
        subcommands = {UsersCommand.Add.class, UsersCommand.Listing.class})
final class UsersCommand extends Configured {

    UsersCommand(Io io) {
        super(io);
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Add a user and print a new API token for it, alone on standard output (shown only now; "
                    + "only its hash is stored), so a script can capture it: T=$(chat users add ana)"})
    static final class Add extends Configured implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", description = "The user's name (what requests run as).")
        String name;

        @Option(names = "--label", paramLabel = "TEXT", description = "What the token is for, e.g. laptop.")
        String label = "created by chat users add";

        Add(Io io) {
            super(io);
        }

        @Override
        public Integer call() {
            UserId id = userId(name);
            try (Wiring.LocalStore store = openStore()) {
                Accounts accounts = store.accounts();
                storeCall(() -> accounts.addUser(id.value()));
                Accounts.IssuedToken token = storeCall(() -> accounts.issueToken(id, label));
                io.out().println(token.token());
                io.err().println("Added the user " + id + " with token #" + token.id() + " (printed above, only now;"
                        + " keep it secret). Revoke it with: chat tokens revoke " + token.id());
            }
            return ExitCode.OK.code();
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List users, with their live tokens.")
    static final class Listing extends Configured implements Callable<Integer> {
        Listing(Io io) {
            super(io);
        }

        @Override
        public Integer call() {
            try (Wiring.LocalStore store = openStore()) {
                Accounts accounts = store.accounts();
                io.out().printf("%-24s %-16s %s%n", "NAME", "ADDED", "LIVE TOKENS");
                for (Accounts.User u : storeCall(accounts::users)) {
                    long live = storeCall(() -> accounts.tokens(Optional.of(u.id()))).stream()
                            .filter(t -> t.revokedAt().isEmpty()).count();
                    io.out().printf("%-24s %-16s %d%n", u.id(), when(u.createdAt()), live);
                }
            }
            return ExitCode.OK.code();
        }
    }
}
