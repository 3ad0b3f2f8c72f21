package dev.chatstream.core;

/**
 * Where an action the model asked for stands, as {@code action_result} events and the confirm/cancel answers
 * report it. The {@link #code()} strings are part of the wire contract: never rename one.
 */
public enum ActionStatus {
    /** It ran and Home Assistant (or another executor) accepted it. */
    DONE("done"),
    /** It was allowed but running it failed (the executor was unreachable or said no). */
    FAILED("failed"),
    /**
     * It was sent, but no answer came in time: it may have run (Home Assistant finishes a call even when the
     * caller gave up), so the user should check the device before asking again.
     */
    UNKNOWN("unknown"),
    /** The policy does not allow it; it did not run. */
    REFUSED("refused"),
    /** It waits for the user to confirm it. */
    PENDING_CONFIRMATION("pending_confirmation"),
    /** The user cancelled it; it did not run. */
    CANCELLED("cancelled"),
    /** Nobody confirmed it in time; it did not run. */
    EXPIRED("expired");

    private final String code;

    ActionStatus(String code) {
        this.code = code;
    }

    /** The wire name, e.g. {@code "done"}. */
    public String code() {
        return code;
    }
}
