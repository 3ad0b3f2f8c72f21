package dev.chatstream.core;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Automatic execution of the actions a model asks for, safely. Between the use case and the client it gives
 * each action a single-use id, asks the {@link ActionExecutor}'s policy, and then: runs an allowed action at
 * once and sends its {@link ChatEvent.ActionResult}; refuses a disallowed one (result {@code refused}); or,
 * for high-impact devices, holds it for the user to {@link #confirm} or {@link #cancel} within the
 * confirmation window. Only the user the action was for can decide it, once. Every step goes to the
 * {@link ActionAudit}. Thread-safe; waiting actions live in memory (a restart forgets them: nothing runs).
 */
public final class ActionDispatcher {
    /** Most actions waiting for confirmation at once, over all users; beyond, new ones are refused. */
    static final int MAX_WAITING = 10_000;
    /**
     * Most actions one user may have waiting at once; beyond, that user's new ones are refused, so one account
     * (or one model talked into asking again and again) cannot fill the server's list for everyone.
     */
    static final int MAX_WAITING_PER_USER = 20;
    private static final System.Logger LOG = System.getLogger(ActionDispatcher.class.getName());

    private final ActionExecutor executor;
    private final ActionAudit audit;
    private final Clock clock;
    private final Duration window;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Waiting> waiting = new ConcurrentHashMap<>();
    private volatile Instant nextSweep = Instant.MIN;

    /**
     * @param executor runs and judges actions
     * @param audit    where every step is recorded
     * @param clock    for confirmation deadlines
     * @param window   how long an action waits for confirmation, positive
     */
    public ActionDispatcher(ActionExecutor executor, ActionAudit audit, Clock clock, Duration window) {
        this.executor = Checks.notNull(executor, "executor");
        this.audit = Checks.notNull(audit, "audit");
        this.clock = Checks.notNull(clock, "clock");
        this.window = Checks.notNull(window, "window");
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window must be positive, got " + window);
        }
    }

    /**
     * A sink that handles {@code user}'s actions on their way to {@code next}; every other event passes
     * unchanged. An action is never run once {@code next} has said its consumer is gone.
     */
    public EventSink dispatching(UserId user, EventSink next) {
        Checks.notNull(user, "user");
        Checks.notNull(next, "next");
        return event -> event instanceof ChatEvent.ActionRequested a && a.ticket().isEmpty()
                ? handle(user, a.action(), next)
                : next.send(event);
    }

    /**
     * Runs the waiting action {@code id} of {@code user}, if the policy still allows it.
     *
     * @return its result: done, failed, or refused (the policy changed meanwhile)
     * @throws ActionTicketException when the id is unknown or another user's, expired, or already decided
     */
    public ChatEvent.ActionResult confirm(UserId user, String id) {
        Waiting w = take(user, id);
        ActionDecision now = decide(user, w.action);
        if (now.verdict() == ActionDecision.Verdict.REFUSE) {
            return finish(user, id, w.action, ActionStatus.REFUSED, now.message());
        }
        return run(user, id, w.action);
    }

    /**
     * Cancels the waiting action {@code id} of {@code user}; it never runs.
     *
     * @return its result, {@code cancelled}
     * @throws ActionTicketException when the id is unknown or another user's, expired, or already decided
     */
    public ChatEvent.ActionResult cancel(UserId user, String id) {
        Waiting w = take(user, id);
        return finish(user, id, w.action, ActionStatus.CANCELLED, "Cancelled; nothing was done");
    }

    /** How many actions wait for confirmation now. */
    public int waiting() {
        Instant now = clock.instant();
        return (int) waiting.values().stream()
                .filter(w -> w.state.get() == State.WAITING && !now.isAfter(w.confirmBy)).count();
    }

    private long waitingFor(UserId user) {
        Instant now = clock.instant();
        return waiting.values().stream()
                .filter(w -> w.user.equals(user) && w.state.get() == State.WAITING && !now.isAfter(w.confirmBy))
                .count();
    }

    private boolean handle(UserId user, Action action, EventSink next) {
        String id = newId();
        ActionDecision decision = decide(user, action);
        return switch (decision.verdict()) {
            case REFUSE -> refuse(user, id, action, decision.message(), next);
            case CONFIRM -> hold(user, id, action, decision.message(), next);
            case RUN -> {
                if (!next.send(new ChatEvent.ActionRequested(action, Optional.of(ticket(id))))) {
                    audit(user, id, action, ActionStatus.CANCELLED, "Not run: the client left before it could see it");
                    yield false;
                }
                yield next.send(run(user, id, action));
            }
        };
    }

    /** Sends the action and its refusal; audited whether or not the client is still there. */
    private boolean refuse(UserId user, String id, Action action, String reason, EventSink next) {
        ChatEvent.ActionResult refused = finish(user, id, action, ActionStatus.REFUSED, reason);
        return next.send(new ChatEvent.ActionRequested(action, Optional.of(ticket(id)))) && next.send(refused);
    }

    /** Keeps the action for the user to decide, unless too many already wait, on the server or for this user. */
    private boolean hold(UserId user, String id, Action action, String what, EventSink next) {
        sweep();
        Instant by = clock.instant().plus(window).truncatedTo(ChronoUnit.MILLIS);
        String full;
        synchronized (waiting) { // the count and the put are one step, so concurrent replies cannot pass the cap
            full = waiting.size() >= MAX_WAITING ? "Too many actions are waiting for confirmation on this server; "
                    + "confirm or cancel some, then ask again"
                    : waitingFor(user) >= MAX_WAITING_PER_USER ? "You have " + MAX_WAITING_PER_USER + " actions "
                    + "waiting for confirmation already; confirm or cancel some (or let them expire), then ask again"
                    : null;
            if (full == null) {
                waiting.put(id, new Waiting(user, action, by));
            }
        }
        if (full != null) {
            return refuse(user, id, action, full, next);
        }
        audit(user, id, action, ActionStatus.PENDING_CONFIRMATION, what + "; waits for confirmation until " + by);
        return next.send(new ChatEvent.ActionRequested(action, Optional.of(new ChatEvent.ActionTicket(id,
                Optional.of(by)))));
    }

    private ActionDecision decide(UserId user, Action action) {
        try {
            return executor.decide(user, action);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "The action policy failed; the action is refused", e);
            return ActionDecision.refuse("The action could not be checked (a bug; see the server log), so it "
                    + "was not run");
        }
    }

    private ChatEvent.ActionResult run(UserId user, String id, Action action) {
        ActionExecutor.Outcome outcome;
        try {
            outcome = executor.execute(user, action);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "The action executor failed", e);
            outcome = new ActionExecutor.Outcome(ActionStatus.FAILED,
                    "The action failed in chatstream (a bug; see the server log)");
        }
        return finish(user, id, action, outcome.status(), outcome.message());
    }

    private Waiting take(UserId user, String id) {
        Checks.notNull(user, "user");
        Checks.notNull(id, "id");
        Waiting w = waiting.get(id);
        if (w == null || !w.user.equals(user)) {
            throw new ActionTicketException(ErrorCode.ACTION_NOT_FOUND, "Action " + id + " was not found; "
                    + "ask the assistant again");
        }
        if (clock.instant().isAfter(w.confirmBy) && w.state.get() != State.DECIDED) {
            if (w.state.compareAndSet(State.WAITING, State.EXPIRED)) {
                audit(user, id, w.action, ActionStatus.EXPIRED, "Not run: nobody confirmed it by " + w.confirmBy);
            }
            throw new ActionTicketException(ErrorCode.ACTION_EXPIRED, "Action " + id + " expired at "
                    + w.confirmBy + " (actions wait " + window.toSeconds() + " s for confirmation); nothing was "
                    + "done, ask again");
        }
        if (!w.state.compareAndSet(State.WAITING, State.DECIDED)) {
            throw new ActionTicketException(ErrorCode.ACTION_ALREADY_DECIDED, "Action " + id
                    + " was already confirmed or cancelled; each action can be decided once");
        }
        return w;
    }

    private ChatEvent.ActionResult finish(UserId user, String id, Action action, ActionStatus status,
            String message) {
        audit(user, id, action, status, message);
        return new ChatEvent.ActionResult(id, status, message);
    }

    private void audit(UserId user, String id, Action action, ActionStatus status, String message) {
        try {
            audit.record(new ActionAudit.Entry(clock.instant(), user, id, action, status, message));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "The action audit failed", e);
        }
    }

    /** Forgets decided and expired actions once their window has passed again (so a replay says why). */
    private void sweep() {
        Instant now = clock.instant();
        if (now.isBefore(nextSweep) && waiting.size() < MAX_WAITING) {
            return;
        }
        nextSweep = now.plusSeconds(60);
        waiting.values().removeIf(w -> now.isAfter(w.confirmBy.plus(window)));
    }

    private static ChatEvent.ActionTicket ticket(String id) {
        return new ChatEvent.ActionTicket(id, Optional.empty());
    }

    private String newId() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return "act_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private enum State { WAITING, DECIDED, EXPIRED }

    private static final class Waiting {
        final UserId user;
        final Action action;
        final Instant confirmBy;
        final AtomicReference<State> state = new AtomicReference<>(State.WAITING);

        Waiting(UserId user, Action action, Instant confirmBy) {
            this.user = user;
            this.action = action;
            this.confirmBy = confirmBy;
        }
    }
}
