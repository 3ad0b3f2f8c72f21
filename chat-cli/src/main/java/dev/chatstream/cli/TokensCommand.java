package dev.chatstream.cli;

import dev.chatstream.core.UserId;
import dev.chatstream.core.Accounts;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code chat tokens create|list|revoke}: API tokens in the local store. Tokens themselves are never listed. */
@Command(name = "tokens", mixinStandardHelpOptions = true, description = "Create, list and revoke API tokens.",
        subcommands = {TokensCommand.Create.class, TokensCommand.Listing.class, TokensCommand.Revoke.class})
final class TokensCommand extends Configured {

    TokensCommand(Io io) {
        super(io);
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Issue another token for an existing user, printed alone on standard output (only now).")
    static final class Create extends Configured implements Callable<Integer> {
        @Option(names = {"-u", "--user"}, required = true, paramLabel = "NAME", description = "Whose token.")
        String user;

        @Option(names = "--label", paramLabel = "TEXT", description = "What the token is for, e.g. laptop.")
        String label = "created by chat tokens create";

        Create(Io io) {
            super(io);
        }

        @Override
        public Integer call() {
            try (Wiring.LocalStore store = openStore()) {
                UserId id = existingUser(store, user);
                Accounts.IssuedToken token = storeCall(() -> store.accounts().issueToken(id, label));
                io.out().println(token.token());
                io.err().println("Token #" + token.id() + " for " + id + " (printed above, only now; keep it secret).");
            }
            return ExitCode.OK.code();
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List tokens (never the tokens themselves): id, user, label, created, last used, revoked.")
    static final class Listing extends Configured implements Callable<Integer> {
        @Option(names = {"-u", "--user"}, paramLabel = "NAME", description = "Only this user's tokens.")
        String user;

        Listing(Io io) {
            super(io);
        }

        @Override
        public Integer call() {
            try (Wiring.LocalStore store = openStore()) {
                Optional<UserId> only = user == null ? Optional.empty() : Optional.of(existingUser(store, user));
                io.out().printf("%-5s %-16s %-16s %-16s %-16s %s%n", "ID", "USER", "CREATED", "LAST USED", "REVOKED",
                        "LABEL");
                for (Accounts.TokenInfo t : storeCall(() -> store.accounts().tokens(only))) {
                    io.out().printf("%-5d %-16s %-16s %-16s %-16s %s%n", t.id(), t.user(), when(t.createdAt()),
                            t.lastUsedAt().map(Configured::when).orElse("never"),
                            t.revokedAt().map(Configured::when).orElse("-"), t.label());
                }
            }
            return ExitCode.OK.code();
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revoke a token by its id (chat tokens list); it is refused from the next request on.")
    static final class Revoke extends Configured implements Callable<Integer> {
        @Parameters(paramLabel = "ID", description = "The token's id.")
        long id;

        Revoke(Io io) {
            super(io);
        }

        @Override
        public Integer call() {
            try (Wiring.LocalStore store = openStore()) {
                if (!storeCall(() -> store.accounts().revoke(id))) {
                    throw new CliException(ExitCode.NOT_FOUND, "There is no live token #" + id
                            + "; `chat tokens list` shows them");
                }
                io.err().println("Revoked token #" + id + ".");
            }
            return ExitCode.OK.code();
        }
    }
}
