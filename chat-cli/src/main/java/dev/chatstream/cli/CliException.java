package dev.chatstream.cli;

/**
 * A failure the command reports in one line on standard error and turns into its documented exit code.
 * The message says what went wrong and what to do next.
 */
public final class CliException extends RuntimeException {
    private final ExitCode exit;

    CliException(ExitCode exit, String message) {
        super(message);
        this.exit = exit;
    }

    CliException(ExitCode exit, String message, Throwable cause) {
        super(message, cause);
        this.exit = exit;
    }

    /** A conversation that {@code -c} named is not the user's: said in the command's words, not the API's. */
    static CliException conversationNotFound(long id) {
        return new CliException(ExitCode.NOT_FOUND, "Conversation " + id + " was not found; /history in a chat lists "
                + "the open one, and leaving out -c (--conversation) starts a new one");
    }

    /** The exit code the command ends with. */
    public ExitCode exit() {
        return exit;
    }
}
