package dev.chatstream.core;

/**
 * The assistant's side of a turn, as it is stored.
 *
 * @param text   the visible reply (without ACTION lines); for an unfinished reply, what the user saw
 * @param status how the reply ended
 * @param events what else the user saw of it, in order, so that a reopened conversation shows it again: the actions
 *               ({@link ChatEvent.ActionRequested}, with their tickets), their results, actions that could not be
 *               read, and the error that ended it ({@link ChatEvent.Failed}); never text, thinking or done
 */
public record Reply(String text, MessageStatus status, java.util.List<ChatEvent> events) {
    public Reply {
        Checks.notNull(text, "text");
        Checks.notNull(status, "status");
        events = java.util.List.copyOf(Checks.notNull(events, "events"));
        for (ChatEvent e : events) {
            if (!kept(e)) {
                throw new IllegalArgumentException("a reply keeps actions, their results and its error, not " + e);
            }
        }
    }

    /** A reply with nothing but its text. */
    public Reply(String text, MessageStatus status) {
        this(text, status, java.util.List.of());
    }

    /** Whether a reply keeps {@code event} beside its text. */
    public static boolean kept(ChatEvent event) {
        return event instanceof ChatEvent.ActionRequested || event instanceof ChatEvent.ActionResult
                || event instanceof ChatEvent.InvalidAction || event instanceof ChatEvent.Failed;
    }
}
