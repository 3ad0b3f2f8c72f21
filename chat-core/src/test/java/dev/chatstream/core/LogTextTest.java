package dev.chatstream.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** No value can forge a log line or a field (issue 22, finding 5). */
class LogTextTest {

    @Test
    void shouldKeepPlainValuesAndQuoteTheRest() {
        assertThat(LogText.field("/api/chat/stream/")).isEqualTo("/api/chat/stream/");
        assertThat(LogText.field("ana")).isEqualTo("ana");
        assertThat(LogText.field("/api/x\nrequest_id=1 method=GET path=/api/admin user=admin status=200"))
                .isEqualTo("\"/api/x\\nrequest_id=1 method=GET path=/api/admin user=admin status=200\"");
        assertThat(LogText.field("/a user=admin")).isEqualTo("\"/a user=admin\"");
        assertThat(LogText.field("a\u001b[2Jb\r")).isEqualTo("\"a\\u001b[2Jb\\r\"");
    }

    @Test
    void shouldWriteAnAuditLineThatTheModelCannotSplit() {
        Action forged = new Action("homeassistant_call_service\nat=2026-01-01T00:00:00Z user=admin",
                Map.of("entity_id", "lock.porta\" status=done message=\"ok"));
        String line = LoggedActionAudit.line(new ActionAudit.Entry(Instant.parse("2026-12-01T10:00:00Z"),
                UserId.of("ana"), "act_1", forged, ActionStatus.REFUSED, "Porta\nat=x status=done"));

        assertThat(line).doesNotContain("\n").startsWith("at=2026-12-01T10:00:00Z user=ana action=act_1 tool=\"");
        assertThat(line).endsWith(" status=refused message=\"Porta\\nat=x status=done\"");
        assertThat(line).contains("args={\"entity_id\": \"lock.porta\\\" status=done message=\\\"ok\"}");
    }
}
