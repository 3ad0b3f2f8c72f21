package dev.chatstream.core;

/**
 * The port to whatever carries out the actions the model asks for (Home Assistant). Model output is untrusted,
 * so every action is first judged by {@link #decide} and runs only through {@link ActionDispatcher}, which
 * asks the user when the decision says so. Thread-safe.
 */
public interface ActionExecutor {
    /**
     * Judges {@code action} for {@code user} without running anything: unknown tools, devices that do not exist
     * or are not exposed, and services not on the user's allow-list are refused, with the reason.
     * Never throws for a bad action; may refuse when it cannot tell (e.g. the device list is unreachable).
     */
    ActionDecision decide(UserId user, Action action);

    /**
     * Runs {@code action}, which {@link #decide} allowed. Never throws: a failure is a
     * {@link ActionStatus#FAILED} outcome whose message says what went wrong and what to do.
     *
     * @return {@link ActionStatus#DONE}, {@link ActionStatus#FAILED} (it did not run), or {@link ActionStatus#UNKNOWN}
     *         (no answer in time: it may have run), with a message for people
     */
    Outcome execute(UserId user, Action action);

    /**
     * What running an action came to.
     *
     * @param status  {@link ActionStatus#DONE}, {@link ActionStatus#FAILED} or {@link ActionStatus#UNKNOWN}
     * @param message for people
     */
    record Outcome(ActionStatus status, String message) {
        public Outcome {
            Checks.notNull(status, "status");
            Checks.notNull(message, "message");
            if (status != ActionStatus.DONE && status != ActionStatus.FAILED && status != ActionStatus.UNKNOWN) {
                throw new IllegalArgumentException("an outcome is done, failed or unknown, got " + status);
            }
        }
    }
}
