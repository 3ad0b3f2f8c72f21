package dev.chatstream.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chatstream.core.Action;
import dev.chatstream.core.ActionTickets;
import dev.chatstream.core.ActionTicketsContract;
import dev.chatstream.core.ChatException;
import dev.chatstream.core.ErrorCode;
import dev.chatstream.core.UserId;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The contract on a real redis-server, seen through two nodes' connections; and what happens while Redis is down. */
class RedisActionTicketsTest extends ActionTicketsContract {
    private static final RedisServer REDIS = RedisServer.start();
    private final String prefix = "tickets" + System.nanoTime();
    private final Redis nodeA = Redis.at(RedisUrl.parse(REDIS.url()));
    private final Redis nodeB = Redis.at(RedisUrl.parse(REDIS.url()));
    private final RedisActionTickets a = new RedisActionTickets(nodeA, prefix);
    private final RedisActionTickets b = new RedisActionTickets(nodeB, prefix);

    @Override
    protected ActionTickets tickets() {
        return a;
    }

    @Override
    protected ActionTickets other() {
        return b;
    }

    @AfterEach
    void close() {
        nodeA.close();
        nodeB.close();
    }

    @AfterAll
    static void stopRedis() {
        REDIS.close();
    }

    @Test
    void shouldSayTheSharedStateIsUnavailableWhileRedisIsDown() {
        Instant now = Instant.parse("2026-12-01T10:00:00Z");
        Action action = new Action("homeassistant_call_service", Map.of("domain", "lock"));
        REDIS.stop();
        try {
            assertThatThrownBy(() -> a.take(UserId.of("ana"), "act_x", now))
                    .isInstanceOfSatisfying(ChatException.class, e -> assertThat(e.code())
                            .isEqualTo(ErrorCode.SHARED_STATE_UNAVAILABLE))
                    .hasMessageContaining("cannot be reached");
            assertThatThrownBy(() -> a.hold("act_y", UserId.of("ana"), action, now.plusSeconds(60),
                    now.plusSeconds(120), now, 10, 10)).isInstanceOf(ChatException.class);
        } finally {
            REDIS.startAgain();
        }
        assertThat(a.hold("act_z", UserId.of("ana"), action, now.plusSeconds(60), now.plusSeconds(120), now, 10, 10))
                .as("back").isEmpty();
    }
}
