package dev.chatstream.core;

/**
 * {@link ActionAudit#toLog()}: one line per entry on the {@code chatstream.audit} logger, e.g.
 * {@code at=2026-11-24T10:00:00Z user=admin action=act_… tool=homeassistant_call_service
 * args={domain=lock, service=unlock, entity_id=lock.porta} status=pending_confirmation message="…"}.
 * Only what the model wrote and the verdict: no tokens or headers ever reach it.
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
        return "at=" + e.at() + " user=" + e.user().value() + " action=" + e.actionId() + " tool="
                + e.action().tool() + " args=" + e.action().args() + " status=" + e.status().code() + " message=\""
                + e.message().replace("\"", "'") + "\"";
    }
}
