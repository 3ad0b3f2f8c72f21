package dev.chatstream.cli;

import dev.chatstream.core.ChatException;
import dev.chatstream.core.InvalidRequestException;
import dev.chatstream.core.UserId;
import dev.chatstream.core.ConfigException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * A command that reads the server's configuration ({@code docs/configuration.md}): every setting works as a
 * {@code --key=value} flag here too (e.g. {@code --data.dir=/srv/chat}), as an environment variable or from
 * {@code --config=FILE}.
 */
abstract class Configured {
    protected final Io io;

    /** The {@code --key=value} settings; the wiring refuses unknown ones. */
    @Unmatched
    List<String> settings = new ArrayList<>();

    @Spec
    CommandSpec spec;

    Configured(Io io) {
        this.io = io;
    }

    /** The settings given anywhere on the command line: {@code chat --data.dir=D users add X} works too. */
    List<String> settings() {
        List<String> all = new ArrayList<>();
        for (CommandSpec s = spec; s != null; s = s.parent()) {
            if (s.userObject() instanceof Configured c) {
                all.addAll(0, c.settings);
            }
        }
        return all;
    }

    /** What the composition gives the commands; the root command holds it. */
    Wiring wiring() {
        CommandSpec root = spec;
        while (root.parent() != null) {
            root = root.parent();
        }
        return ((ChatCommand) root.userObject()).wiring;
    }

    /** Runs {@code wired} against the wiring, turning bad settings and an unreachable store into exit codes. */
    <T> T wired(java.util.function.Function<Wiring, T> wired) {
        try {
            return wired.apply(wiring());
        } catch (ConfigException e) {
            java.util.Optional<String> close = closest(e.getMessage());
            if (close.isPresent()) {
                throw new CliException(ExitCode.USAGE, e.getMessage().replaceFirst(";.*", "") + "; did you mean --"
                        + close.get() + "? (--help lists this command's options, docs/configuration.md the settings)", e);
            }
            String hint = e.getMessage().startsWith("Unknown flag") || e.getMessage().startsWith("Flags look like")
                    ? " (see --help for this command's own options)" : "";
            throw new CliException(ExitCode.USAGE, e.getMessage() + hint, e);
        } catch (ChatException e) {
            throw new CliException(ExitCode.of(e.code()), e.getMessage(), e);
        }
    }

    /**
     * For "Unknown flag --X; known flags: ...": the one known flag or option of this command within two edits of X
     * ({@code --modle}: {@code model}), if exactly one is that close.
     */
    private java.util.Optional<String> closest(String message) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^Unknown flag --([^;\\s]+); known flags: (.*)$")
                .matcher(message);
        if (!m.matches()) {
            return java.util.Optional.empty();
        }
        java.util.Set<String> names = new java.util.TreeSet<>();
        for (String known : m.group(2).split(", ")) {
            names.add(known.replaceFirst("^--", ""));
        }
        for (CommandSpec s = spec; s != null; s = s.parent()) {
            s.options().forEach(o -> names.add(o.longestName().replaceFirst("^--?", "")));
        }
        List<String> near = names.stream().filter(n -> edits(n, m.group(1)) <= 2).toList();
        return near.size() == 1 ? java.util.Optional.of(near.getFirst()) : java.util.Optional.empty();
    }

    /** Levenshtein distance. */
    static int edits(String a, String b) {
        int[] row = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            row[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int up = row[j];
                row[j] = Math.min(Math.min(row[j] + 1, row[j - 1] + 1), diagonal + (a.charAt(i - 1) == b.charAt(j - 1)
                        ? 0 : 1));
                diagonal = up;
            }
        }
        return row[b.length()];
    }

    /** Opens the store (creating and migrating it if needed); the caller closes it. */
    Wiring.LocalStore openStore() {
        return wired(w -> w.openStore(settings(), io.env()));
    }

    /** An existing user, or a {@link CliException} that says how to see and add users. */
    static UserId existingUser(Wiring.LocalStore store, String name) {
        UserId id = userId(name);
        dev.chatstream.core.Accounts accounts = store.accounts();
        if (accounts.user(id.value()).isEmpty()) {
            throw new CliException(ExitCode.NOT_FOUND, "There is no user named \"" + name
                    + "\"; `chat users list` shows them, `chat users add " + name + "` adds one");
        }
        return id;
    }

    static UserId userId(String name) {
        try {
            return UserId.of(name);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.USAGE, "Bad user name \"" + name + "\": " + e.getMessage(), e);
        }
    }

    private static final java.time.format.DateTimeFormatter WHEN = java.time.format.DateTimeFormatter
            .ofPattern("yyyy-MM-dd HH:mm").withZone(java.time.ZoneId.systemDefault());

    /** A time for people, in the local zone, to the minute. */
    static String when(java.time.Instant instant) {
        return WHEN.format(instant);
    }

    /** Runs a store call, turning its refusals and failures into the command's exit codes. */
    static <T> T storeCall(java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (InvalidRequestException e) {
            throw new CliException(ExitCode.USAGE, e.getMessage(), e);
        } catch (ChatException e) {
            throw new CliException(ExitCode.of(e.code()), e.getMessage(), e);
        }
    }
}
