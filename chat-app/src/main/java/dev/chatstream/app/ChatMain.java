package dev.chatstream.app;

/**
 * The main of {@code chat.jar} ({@code bin/chat}): the {@code chat} command with this composition's wiring.
 */
public final class ChatMain {
    private ChatMain() {
    }

    /** Runs {@code chat} with {@code args} and exits with its code ({@code docs/cli.md}). */
    public static void main(String[] args) {
        Server.quietLibraries(); // a command's output is its own: no pool or migration lines at each store open
        dev.chatstream.cli.Chat.main(new CliWiring(), args);
    }
}
