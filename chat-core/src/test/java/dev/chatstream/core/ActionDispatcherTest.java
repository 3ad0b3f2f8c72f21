package dev.chatstream.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class ActionDispatcherTest {
    private static final UserId ANA = UserId.of("ana");
    private static final UserId RUI = UserId.of("rui");
    private static final Action LIGHT = action("light", "turn_on", "light.sala");
    private static final Action UNLOCK = action("lock", "unlock", "lock.porta");
    private static final Action OVEN = action("switch", "turn_on", "switch.forno");

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T10:00:00Z"));
    private final PolicyExecutor executor = new PolicyExecutor();
    private final List<ActionAudit.Entry> audit = new CopyOnWriteArrayList<>();
    private final ActionDispatcher dispatcher = new ActionDispatcher(executor, audit::add, clock,
            Duration.ofSeconds(120));

    @Test
    void shouldRunAnAllowedActionAndSendItsResultAfterIt() {
        RecordingEventSink sink = new RecordingEventSink();

        EventSink s = dispatcher.dispatching(ANA, sink);
        assertThat(s.send(new ChatEvent.FinalText("Vou ligar a luz."))).isTrue();
        assertThat(s.send(new ChatEvent.ActionRequested(LIGHT))).isTrue();

        List<ChatEvent> events = sink.events();
        assertThat(events).hasSize(3);
        assertThat(events.get(0)).isEqualTo(new ChatEvent.FinalText("Vou ligar a luz."));
        ChatEvent.ActionRequested a = (ChatEvent.ActionRequested) events.get(1);
        assertThat(a.action()).isEqualTo(LIGHT);
        assertThat(a.ticket()).get().satisfies(t -> {
            assertThat(t.id()).matches("act_[A-Za-z0-9_-]{22}");
            assertThat(t.needsConfirmation()).isFalse();
        });
        assertThat(events.get(2)).isEqualTo(new ChatEvent.ActionResult(a.ticket().orElseThrow().id(),
                ActionStatus.DONE, "ran turn_on on light.sala"));
        assertThat(executor.ran).containsExactly(LIGHT);
        assertThat(audit).extracting(ActionAudit.Entry::status).containsExactly(ActionStatus.DONE);
        assertThat(audit.get(0).user()).isEqualTo(ANA);
        assertThat(audit.get(0).at()).isEqualTo(clock.instant());
    }

    @Test
    void shouldRefuseWithThePolicysReasonAndRunNothing() {
        RecordingEventSink sink = new RecordingEventSink();

        dispatcher.dispatching(ANA, sink).send(new ChatEvent.ActionRequested(OVEN));

        ChatEvent.ActionResult r = (ChatEvent.ActionResult) sink.events().get(1);
        assertThat(r.status()).isEqualTo(ActionStatus.REFUSED);
        assertThat(r.message()).isEqualTo("switch.forno is not on the allow-list");
        assertThat(executor.ran).isEmpty();
        assertThat(audit).extracting(ActionAudit.Entry::status).containsExactly(ActionStatus.REFUSED);
    }

    @Test
    void shouldHoldAHighImpactActionUntilItsUserConfirmsIt() {
        RecordingEventSink sink = new RecordingEventSink();

        dispatcher.dispatching(ANA, sink).send(new ChatEvent.ActionRequested(UNLOCK));

        assertThat(sink.events()).hasSize(1);
        ChatEvent.ActionTicket ticket = ((ChatEvent.ActionRequested) sink.events().get(0)).ticket().orElseThrow();
        assertThat(ticket.confirmBy()).contains(Instant.parse("2026-11-24T10:02:00Z"));
        assertThat(executor.ran).isEmpty();
        assertThat(dispatcher.waiting()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(119));
        ChatEvent.ActionResult r = dispatcher.confirm(ANA, ticket.id());

        assertThat(r).isEqualTo(new ChatEvent.ActionResult(ticket.id(), ActionStatus.DONE,
                "ran unlock on lock.porta"));
        assertThat(executor.ran).containsExactly(UNLOCK);
        assertThat(dispatcher.waiting()).isZero();
        assertThat(audit).extracting(ActionAudit.Entry::status)
                .containsExactly(ActionStatus.PENDING_CONFIRMATION, ActionStatus.DONE);
    }

    @Test
    void shouldCancelAWaitingActionSoItNeverRuns() {
        String id = waitingUnlock(ANA);

        ChatEvent.ActionResult r = dispatcher.cancel(ANA, id);

        assertThat(r.status()).isEqualTo(ActionStatus.CANCELLED);
        assertThat(r.message()).isEqualTo("Cancelled; nothing was done");
        assertThatThrownBy(() -> dispatcher.confirm(ANA, id)).isInstanceOf(ActionTicketException.class)
                .hasMessage("Action " + id + " was already confirmed or cancelled; each action can be decided once")
                .extracting(e -> ((ActionTicketException) e).code()).isEqualTo(ErrorCode.ACTION_ALREADY_DECIDED);
        assertThat(executor.ran).isEmpty();
    }

    @Test
    void shouldRefuseAReplayOfAConfirmedAction() {
        String id = waitingUnlock(ANA);
        dispatcher.confirm(ANA, id);

        assertThatThrownBy(() -> dispatcher.confirm(ANA, id))
                .extracting(e -> ((ActionTicketException) e).code()).isEqualTo(ErrorCode.ACTION_ALREADY_DECIDED);
        assertThat(executor.ran).containsExactly(UNLOCK);
    }

    @Test
    void shouldNotLetAnotherUserDecideAnAction() {
        String id = waitingUnlock(ANA);

        assertThatThrownBy(() -> dispatcher.confirm(RUI, id)).isInstanceOf(ActionTicketException.class)
                .hasMessage("Action " + id + " was not found; ask the assistant again");
        assertThatThrownBy(() -> dispatcher.cancel(RUI, id))
                .extracting(e -> ((ActionTicketException) e).code()).isEqualTo(ErrorCode.ACTION_NOT_FOUND);
        assertThat(dispatcher.confirm(ANA, id).status()).isEqualTo(ActionStatus.DONE); // still Ana's to decide
    }

    @Test
    void shouldAnswerNotFoundForAnIdItNeverGave() {
        assertThatThrownBy(() -> dispatcher.confirm(ANA, "act_made_up"))
                .extracting(e -> ((ActionTicketException) e).code()).isEqualTo(ErrorCode.ACTION_NOT_FOUND);
    }

    @Test
    void shouldExpireAnActionNobodyConfirmedInTime() {
        String id = waitingUnlock(ANA);
        clock.advance(Duration.ofSeconds(121));

        for (int i = 0; i < 2; i++) { // the same answer every time, audited once
            assertThatThrownBy(() -> dispatcher.confirm(ANA, id)).isInstanceOf(ActionTicketException.class)
                    .hasMessage("Action " + id + " expired at 2026-11-24T10:02:00Z (actions wait 120 s for "
                            + "confirmation); nothing was done, ask again")
                    .extracting(e -> ((ActionTicketException) e).code()).isEqualTo(ErrorCode.ACTION_EXPIRED);
        }
        assertThatThrownBy(() -> dispatcher.cancel(ANA, id))
                .extracting(e -> ((ActionTicketException) e).code()).isEqualTo(ErrorCode.ACTION_EXPIRED);
        assertThat(executor.ran).isEmpty();
        assertThat(dispatcher.waiting()).isZero();
        assertThat(audit).extracting(ActionAudit.Entry::status)
                .containsExactly(ActionStatus.PENDING_CONFIRMATION, ActionStatus.EXPIRED);
    }

    @Test
    void shouldCheckThePolicyAgainWhenConfirmed() {
        String id = waitingUnlock(ANA);
        executor.refuseEverything = true;

        ChatEvent.ActionResult r = dispatcher.confirm(ANA, id);

        assertThat(r.status()).isEqualTo(ActionStatus.REFUSED);
        assertThat(executor.ran).isEmpty();
    }

    @Test
    void shouldNotRunAnActionWhoseClientLeft() {
        RecordingEventSink gone = RecordingEventSink.goneAfter(0);

        assertThat(dispatcher.dispatching(ANA, gone).send(new ChatEvent.ActionRequested(LIGHT))).isFalse();

        assertThat(executor.ran).isEmpty();
        assertThat(audit).extracting(ActionAudit.Entry::status).containsExactly(ActionStatus.CANCELLED);
    }

    @Test
    void shouldTurnAFailingPolicyIntoARefusalAndAFailingExecutorIntoAFailure() {
        RecordingEventSink sink = new RecordingEventSink();
        ActionExecutor broken = new ActionExecutor() {
            @Override
            public ActionDecision decide(UserId user, Action action) {
                if (action.equals(OVEN)) {
                    throw new IllegalStateException("boom");
                }
                return ActionDecision.run("ok");
            }

            @Override
            public Outcome execute(UserId user, Action action) {
                throw new IllegalStateException("boom");
            }
        };
        EventSink s = new ActionDispatcher(broken, audit::add, clock, Duration.ofSeconds(5)).dispatching(ANA, sink);

        s.send(new ChatEvent.ActionRequested(OVEN));
        s.send(new ChatEvent.ActionRequested(LIGHT));

        assertThat(sink.events()).filteredOn(ChatEvent.ActionResult.class::isInstance)
                .extracting(e -> ((ChatEvent.ActionResult) e).status(), e -> ((ChatEvent.ActionResult) e).message())
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(ActionStatus.REFUSED,
                                "The action could not be checked (a bug; see the server log), so it was not run"),
                        org.assertj.core.groups.Tuple.tuple(ActionStatus.FAILED,
                                "The action failed in chatstream (a bug; see the server log)"));
    }

    @Test
    void shouldPassOtherEventsAndTicketedActionsThrough() {
        RecordingEventSink sink = new RecordingEventSink();
        ChatEvent ticketed = new ChatEvent.ActionRequested(LIGHT,
                Optional.of(new ChatEvent.ActionTicket("act_x", Optional.empty())));

        EventSink s = dispatcher.dispatching(ANA, sink);
        s.send(new ChatEvent.Chunk("a"));
        s.send(ticketed);
        s.send(new ChatEvent.Done(Usage.unknown()));

        assertThat(sink.events()).containsExactly(new ChatEvent.Chunk("a"), ticketed,
                new ChatEvent.Done(Usage.unknown()));
        assertThat(executor.ran).isEmpty();
    }

    @Test
    void shouldGiveEveryActionItsOwnId() {
        RecordingEventSink sink = new RecordingEventSink();
        EventSink s = dispatcher.dispatching(ANA, sink);
        for (int i = 0; i < 50; i++) {
            s.send(new ChatEvent.ActionRequested(LIGHT));
        }
        assertThat(sink.events()).filteredOn(ChatEvent.ActionResult.class::isInstance)
                .extracting(e -> ((ChatEvent.ActionResult) e).id()).doesNotHaveDuplicates().hasSize(50);
    }

    /** Issue 22, finding 6: one user's waiting actions are capped, and the cap leaves other users alone. */
    @Test
    void shouldCapTheActionsWaitingForOneUser() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < ActionDispatcher.MAX_WAITING_PER_USER; i++) {
            ids.add(waitingUnlock(ANA));
        }
        RecordingEventSink sink = new RecordingEventSink();

        dispatcher.dispatching(ANA, sink).send(new ChatEvent.ActionRequested(UNLOCK));

        assertThat(sink.events().get(1)).isInstanceOfSatisfying(ChatEvent.ActionResult.class, r -> {
            assertThat(r.status()).isEqualTo(ActionStatus.REFUSED);
            assertThat(r.message()).isEqualTo("You have 20 actions waiting for confirmation already; confirm or "
                    + "cancel some (or let them expire), then ask again");
        });
        assertThat(dispatcher.waiting()).isEqualTo(20);
        waitingUnlock(RUI);
        assertThat(dispatcher.waiting()).as("rui is not held back by ana's").isEqualTo(21);
        dispatcher.cancel(ANA, ids.get(0));
        waitingUnlock(ANA);
        assertThat(dispatcher.waiting()).as("a decided action frees its place").isEqualTo(21);
        clock.advance(Duration.ofSeconds(121));
        waitingUnlock(ANA);
        assertThat(dispatcher.waiting()).as("expired ones free theirs").isEqualTo(1);
        assertThat(executor.ran).isEmpty();
    }

    private String waitingUnlock(UserId user) {
        RecordingEventSink sink = new RecordingEventSink();
        dispatcher.dispatching(user, sink).send(new ChatEvent.ActionRequested(UNLOCK));
        return ((ChatEvent.ActionRequested) sink.events().get(0)).ticket().orElseThrow().id();
    }

    private static Action action(String domain, String service, String entity) {
        return new Action("homeassistant_call_service",
                Map.of("domain", domain, "service", service, "entity_id", entity));
    }

    /** Lights run, locks wait for confirmation, everything else is refused. */
    private static final class PolicyExecutor implements ActionExecutor {
        final List<Action> ran = new ArrayList<>();
        volatile boolean refuseEverything;

        @Override
        public ActionDecision decide(UserId user, Action action) {
            String domain = (String) action.args().get("domain");
            if (refuseEverything || !List.of("light", "lock").contains(domain)) {
                return ActionDecision.refuse(action.args().get("entity_id") + " is not on the allow-list");
            }
            return domain.equals("lock") ? ActionDecision.confirm("unlock") : ActionDecision.run("turn on");
        }

        @Override
        public synchronized Outcome execute(UserId user, Action action) {
            ran.add(action);
            return new Outcome(ActionStatus.DONE, "ran " + action.args().get("service") + " on "
                    + action.args().get("entity_id"));
        }
    }
}
