package dev.chatstream.core;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Optional;

/**
 * Automatic execution of the actions a model asks for, safely. Between the use case and the client it gives
 * each action a single-use id, asks the {@link ActionExecutor}'s policy, and then: runs an allowed action at
 * once and sends its {@link ChatEvent.ActionResult}; refuses a disallowed one (result {@code refused}); or,
 * for high-impact devices, holds it for the user to {@link #confirm} or {@link #cancel} within the
 * confirmation window. Only the user the action was for can decide it, once. Every step goes to the
 * {@link ActionAudit}. Thread-safe; waiting actions live in {@link ActionTickets}: this process's memory by default
 * (a restart forgets them: nothing runs), or a store several nodes share.
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
    private final ActionTickets tickets;
    private final SecureRandom random = new SecureRandom();

    /**
     * @param executor runs and judges actions
     * @param audit    where every step is recorded
     * @param clock    for confirmation deadlines
     * @param window   how long an action waits for confirmation, positive
     */
    public ActionDispatcher(ActionExecutor executor, ActionAudit audit, Clock clock, Duration window) {
        this(executor, audit, clock, window, new InMemoryActionTickets());
    }

    /** ... with the actions waiting for confirmation in {@code tickets} (shared by several nodes, say). */
    public ActionDispatcher(ActionExecutor executor, ActionAudit audit, Clock clock, Duration window,
                            ActionTickets tickets) {
        this.tickets = Checks.notNull(tickets, "tickets");
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
     * @throws ChatException          {@link ErrorCode#SHARED_STATE_UNAVAILABLE} when shared tickets cannot be reached
     */
    public ChatEvent.ActionResult confirm(UserId user, String id) {
        Action action = take(user, id);
        ActionDecision now = decide(user, action);
        if (now.verdict() == ActionDecision.Verdict.REFUSE) {
            return finish(user, id, action, ActionStatus.REFUSED, now.message());
        }
        return run(user, id, action);
    }

    /**
     * Cancels the waiting action {@code id} of {@code user}; it never runs.
     *
     * @return its result, {@code cancelled}
     * @throws ActionTicketException when the id is unknown or another user's, expired, or already decided
     * @throws ChatException          {@link ErrorCode#SHARED_STATE_UNAVAILABLE} when shared tickets cannot be reached
     */
    public ChatEvent.ActionResult cancel(UserId user, String id) {
        Action action = take(user, id);
        return finish(user, id, action, ActionStatus.CANCELLED, "Cancelled; nothing was done");
    }

    /** How many actions wait for confirmation now. */
    public int waiting() {
        try {
            return tickets.waiting(clock.instant());
        } catch (ChatException e) {
            return 0; // a figure for the metrics; the store's own state says why
        }
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
        Instant now = clock.instant();
        Instant by = now.plus(window).truncatedTo(ChronoUnit.MILLIS);
        String full;
        try {
            full = tickets.hold(id, user, action, by, by.plus(window), now, MAX_WAITING, MAX_WAITING_PER_USER)
                    .map(cap -> switch (cap) {
                        case SERVICE -> "Too many actions are waiting for confirmation on this server; confirm or "
                                + "cancel some, then ask again";
                        case USER -> "You have " + MAX_WAITING_PER_USER + " actions waiting for confirmation "
                                + "already; confirm or cancel some (or let them expire), then ask again";
                    }).orElse(null);
        } catch (ChatException e) { // it could not wait anywhere: safe to refuse, nothing runs
            full = "It could not be kept for your confirmation now (" + e.getMessage() + "); ask again in a moment";
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

    private Action take(UserId user, String id) {
        Checks.notNull(user, "user");
        Checks.notNull(id, "id");
        return switch (tickets.take(user, id, clock.instant())) {
            case ActionTickets.Taken.Got got -> got.action();
            case ActionTickets.Taken.Missing missing -> throw new ActionTicketException(ErrorCode.ACTION_NOT_FOUND,
                    "Action " + id + " was not found; ask the assistant again");
            case ActionTickets.Taken.Expired expired -> {
                if (expired.first()) {
                    audit(user, id, expired.action(), ActionStatus.EXPIRED, "Not run: nobody confirmed it by "
                            + expired.confirmBy());
                }
                throw new ActionTicketException(ErrorCode.ACTION_EXPIRED, "Action " + id + " expired at "
                        + expired.confirmBy() + " (actions wait " + window.toSeconds() + " s for confirmation); "
                        + "nothing was done, ask again");
            }
            case ActionTickets.Taken.Decided decided -> throw new ActionTicketException(
                    ErrorCode.ACTION_ALREADY_DECIDED, "Action " + id + " was already confirmed or cancelled; each "
                    + "action can be decided once");
        };
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

    private static ChatEvent.ActionTicket ticket(String id) {
        return new ChatEvent.ActionTicket(id, Optional.empty());
    }

    private String newId() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return "act_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

}
