package dev.chatstream.core;

import java.time.Instant;

/**
 * The port to the audit trail of actions: who asked for what, when, and what came of it (refused, waiting,
 * done, failed, cancelled, expired). {@link ActionDispatcher} records every step. Thread-safe; must not throw.
 */
public interface ActionAudit {
    /** Records one step of one action. */
    void record(Entry entry);

    /**
     * One step of one action.
     *
     * @param at       when
     * @param user     who the action was for
     * @param actionId the action's ticket id
     * @param action   what the model asked for
     * @param status   what happened at this step
     * @param message  for people: what ran, or why not
     */
    record Entry(Instant at, UserId user, String actionId, Action action, ActionStatus status, String message) {
        public Entry {
            Checks.notNull(at, "at");
            Checks.notNull(user, "user");
            Checks.notNull(actionId, "actionId");
            Checks.notNull(action, "action");
            Checks.notNull(status, "status");
            Checks.notNull(message, "message");
        }
    }

    /** An audit that writes one INFO line per entry to the {@code chatstream.audit} logger. */
    static ActionAudit toLog() {
        return LoggedActionAudit.INSTANCE;
    }
}
