package dev.chatstream.core;

/**
 * {@link ActionAudit#toLog()}: one line per entry on the {@code chatstream.audit} logger, e.g.
 * {@code at=2026-11-24T10:00:00Z user=admin action=act_… tool=homeassistant_call_service
 * args={"domain": "lock", "service": "unlock", "entity_id": "lock.porta"} status=pending_confirmation message="…"}.
 * Only what the model wrote and the verdict: no tokens or headers ever reach it. What the model chose (the tool, the
 * arguments) and the message (which may name a device) are written as JSON ({@link LogText}), so none of them can
 * write a line that looks like another action.
 */
final class LoggedActionAudit implements ActionAudit {
    static final LoggedActionAudit INSTANCE = new LoggedActionAudit();
    private static final System.Logger LOG = System.getLogger("chatstream.audit");

    private LoggedActionAudit() {
    }

    @Override
    public void record(Entry e) {
        LOG.log(System.Logger.Level.INFO, () -> line(e));
    }

    static String line(Entry e) {
        return "at=" + e.at() + " user=" + LogText.field(e.user().value()) + " action=" + LogText.field(e.actionId())
                + " tool=" + LogText.field(e.action().tool()) + " args=" + Json.write(e.action().args()) + " status="
                + e.status().code() + " message=" + Json.write(e.message());
    }
}
