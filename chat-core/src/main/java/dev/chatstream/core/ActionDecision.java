package dev.chatstream.core;

/**
 * What an {@link ActionExecutor}'s policy says about one action, before anything runs.
 *
 * @param verdict run it now, ask the user first, or refuse
 * @param message for people: what would run ("turn_on on light.sala (Luz da sala)") or, when refused, why
 */
public record ActionDecision(Verdict verdict, String message) {
    /** The three answers a policy can give. */
    public enum Verdict {
        /** Allowed without asking. */
        RUN,
        /** Allowed only once the user confirms (high-impact devices: locks, alarms, doors). */
        CONFIRM,
        /** Not allowed; never runs. */
        REFUSE
    }

    public ActionDecision {
        Checks.notNull(verdict, "verdict");
        Checks.notNull(message, "message");
    }

    /** Allowed without asking. */
    public static ActionDecision run(String message) {
        return new ActionDecision(Verdict.RUN, message);
    }

    /** Allowed once the user confirms. */
    public static ActionDecision confirm(String message) {
        return new ActionDecision(Verdict.CONFIRM, message);
    }

    /** Not allowed, because {@code reason}. */
    public static ActionDecision refuse(String reason) {
        return new ActionDecision(Verdict.REFUSE, reason);
    }
}
