package dev.chatstream.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** What every {@link ActionTickets} must do, run against each implementation (in memory, Redis). */
public abstract class ActionTicketsContract {
    /** An implementation; {@link #other} must be another view of the same tickets (another node) when shared. */
    protected abstract ActionTickets tickets();

    /** The same tickets seen through a second node (for one in memory: the same object). */
    protected ActionTickets other() {
        return tickets();
    }

    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final Instant BY = NOW.plusSeconds(120);
    private static final Instant KEEP = NOW.plusSeconds(240);
    private final String tag = "t" + System.nanoTime();
    private final UserId ana = UserId.of("ana_" + tag);
    private final UserId rui = UserId.of("rui_" + tag);
    private final Action unlock = new Action("homeassistant_call_service", Map.of("domain", "lock", "service",
            "unlock", "entity_id", "lock.porta", "data", Map.of("code", 1234L)));

    private String id(int n) {
        return "act_" + tag + "_" + n;
    }

    @Test
    void shouldGiveAWaitingActionToItsUserOnceThroughAnyNode() {
        assertThat(tickets().hold(id(1), ana, unlock, BY, KEEP, NOW, 100, 10)).isEmpty();
        assertThat(tickets().waiting(NOW)).isGreaterThanOrEqualTo(1);

        assertThat(other().take(rui, id(1), NOW)).as("another user's").isInstanceOf(ActionTickets.Taken.Missing.class);
        assertThat(other().take(ana, id(1), NOW)).isEqualTo(new ActionTickets.Taken.Got(unlock, BY));
        assertThat(tickets().take(ana, id(1), NOW)).isInstanceOf(ActionTickets.Taken.Decided.class);
        assertThat(tickets().take(ana, id(2), NOW)).isInstanceOf(ActionTickets.Taken.Missing.class);
    }

    @Test
    void shouldSayItExpiredAndLetOnlyTheFirstToSeeItAuditIt() {
        tickets().hold(id(1), ana, unlock, BY, KEEP, NOW, 100, 10);
        Instant late = BY.plusMillis(1);

        assertThat(other().take(ana, id(1), late)).isEqualTo(new ActionTickets.Taken.Expired(unlock, BY, true));
        assertThat(tickets().take(ana, id(1), late)).isEqualTo(new ActionTickets.Taken.Expired(unlock, BY, false));
        assertThat(tickets().take(ana, id(1), BY)).as("expired stays expired")
                .isInstanceOf(ActionTickets.Taken.Expired.class);
    }

    @Test
    void shouldCapTheWaitingActionsOfAUserAndOfTheService() {
        int before = tickets().waiting(NOW);
        assertThat(tickets().hold(id(1), ana, unlock, BY, KEEP, NOW, before + 3, 2)).isEmpty();
        assertThat(tickets().hold(id(2), ana, unlock, BY, KEEP, NOW, before + 3, 2)).isEmpty();
        assertThat(tickets().hold(id(3), ana, unlock, BY, KEEP, NOW, before + 3, 2)).hasValue(ActionTickets.Full.USER);
        assertThat(tickets().hold(id(4), rui, unlock, BY, KEEP, NOW, before + 3, 2)).isEmpty();
        assertThat(tickets().hold(id(5), rui, unlock, BY, KEEP, NOW, before + 3, 2))
                .hasValue(ActionTickets.Full.SERVICE);

        tickets().take(ana, id(1), NOW);
        assertThat(tickets().hold(id(6), ana, unlock, BY, KEEP, NOW, before + 3, 2)).as("a decided one frees its place")
                .isEmpty();
        assertThat(tickets().hold(id(7), UserId.of("eva_" + tag), unlock, BY, KEEP, BY.plusMillis(1), before + 3, 2))
                .as("expired ones wait no more").isEmpty();
    }

    @Test
    void shouldGiveItToOneOfManyTakersAtTheSameMoment() throws Exception {
        tickets().hold(id(1), ana, unlock, BY, KEEP, NOW, 100, 10);
        int takers = 8;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<ActionTickets.Taken>> taken = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < takers; i++) {
                ActionTickets node = i % 2 == 0 ? tickets() : other();
                taken.add(pool.submit(() -> {
                    go.await();
                    return node.take(ana, id(1), NOW);
                }));
            }
            go.countDown();
            long got = 0;
            for (Future<ActionTickets.Taken> f : taken) {
                got += f.get(Duration.ofSeconds(10).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                        instanceof ActionTickets.Taken.Got ? 1 : 0;
            }
            assertThat(got).isOne();
        }
    }
}
