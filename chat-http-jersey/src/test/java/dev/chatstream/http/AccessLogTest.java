package dev.chatstream.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One request, one line, whatever its path holds (issue 22, finding 5). */
class AccessLogTest {
    private final Logger logger = Logger.getLogger("dev.chatstream.http.access");
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            lines.add(r.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    AccessLogTest() {
        logger.addHandler(handler);
    }

    @AfterEach
    void remove() {
        logger.removeHandler(handler);
    }

    @Test
    void shouldWriteAPlainRequestAsBefore() {
        AccessLog.line("5f0c9e1a", "POST", "api/chat/stream/", "ana", 200, Duration.ofMillis(12), 3, "done");

        assertThat(lines).containsExactly("request_id=5f0c9e1a method=POST path=/api/chat/stream/ user=ana status=200 "
                + "duration_ms=12 tokens=3 outcome=done");
    }

    @Test
    void shouldKeepADecodedLineBreakInsideThePathField() {
        AccessLog.line("5f0c9e1a", "GET", "api/x\nrequest_id=1 method=GET path=/api/admin user=admin status=200", "-",
                404, Duration.ZERO, 0, "refused");

        assertThat(lines).singleElement().satisfies(l -> assertThat(l).doesNotContain("\n")
                .contains(" path=\"/api/x\\nrequest_id=1 method=GET path=/api/admin user=admin status=200\" user=- "));
    }
}
