package dev.chatstream.core;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Chat turns that outlive the connection that asked for them. A turn runs on a thread of its own and writes every
 * event to its {@link TurnLog}; clients {@link Turn#attach attach} from any point of it and read each event
 * exactly once, so a dropped connection (or a reload, or a second device) resumes where it was. A resumable turn
 * keeps running for {@link Settings#grace()} with nobody attached, then stops; any other turn stops as soon as its
 * last client leaves (the old behaviour). {@link Turn#stop} ends a turn at once for everyone. After its terminal
 * event a log is kept for {@link Settings#keep()}, within {@link Settings#memoryBytes()} for all ended logs (the
 * oldest ended go first; a running turn is never dropped). A retried start with the same idempotency key within
 * {@link Settings#idempotencyWindow()} gets the same turn. Thread-safe.
 */
public final class Turns implements AutoCloseable {
    /** What a turn does: streams one reply into {@code sink}, ending with a terminal event, until cancelled. */
    @FunctionalInterface
    public interface Body {
        void run(EventSink sink, Cancellation cancellation);
    }

    /**
     * What a new turn is about and what it runs: the conversation it continues (when known at its start) and the
     * user's message, so that a client that reloads can find it ({@link #runningIn}).
     */
    public record Plan(java.util.OptionalLong conversationId, String message, Body body) {
        public Plan {
            Checks.notNull(conversationId, "conversationId");
            Checks.notNull(message, "message");
            Checks.notNull(body, "body");
        }
    }

    /** Makes the {@link Plan} of a turn that really starts (never for a retry that finds its turn); may throw. */
    @FunctionalInterface
    public interface Planner {
        Plan plan();
    }

    /** Runs {@code task} after {@code delay}; the returned {@link Runnable} cancels it. */
    @FunctionalInterface
    public interface Timer {
        Runnable schedule(Duration delay, Runnable task);
    }

    /**
     * @param grace             how long a resumable turn runs with nobody attached
     * @param keep              how long a log is kept after its terminal event
     * @param memoryBytes       about how many bytes all ended logs may hold together
     * @param idempotencyWindow how long a start's idempotency key finds its turn
     */
    public record Settings(Duration grace, Duration keep, long memoryBytes, Duration idempotencyWindow) {
        public Settings {
            Checks.notNull(grace, "grace");
            Checks.notNull(keep, "keep");
            Checks.notNull(idempotencyWindow, "idempotencyWindow");
            if (grace.isNegative() || keep.isNegative() || idempotencyWindow.isNegative() || memoryBytes < 0) {
                throw new IllegalArgumentException("turn settings must not be negative");
            }
        }

        /** 30 s of grace, logs kept 120 s within 64 MiB, idempotency keys for 10 min. */
        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(30), Duration.ofSeconds(120), 64L << 20, Duration.ofMinutes(10));
        }
    }

    /** Why a turn with nobody left stops. */
    static final String CLIENT_GONE = "The client went away";

    private final TurnLogs logs;
    private final TurnDirectory directory;
    private final Timer timer;
    private final Clock clock;
    private final Settings settings;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Turn> turns = new ConcurrentHashMap<>();
    /** Ended turns still kept, oldest first, with their logs' sizes. */
    private final LinkedHashMap<String, Long> ended = new LinkedHashMap<>();
    private final Map<String, Keyed> keys = new ConcurrentHashMap<>();
    private long endedBytes;

    /** A start's idempotency key: its turn, once made ({@code pending} completes then, or fails with the plan). */
    private record Keyed(java.util.concurrent.CompletableFuture<Turn> pending, Instant until) {
    }

    public Turns(TurnLogs logs, Timer timer, Clock clock, Settings settings) {
        this(logs, timer, clock, settings, TurnDirectory.local());
    }

    /**
     * With several nodes: {@code directory} says whether a client reads a turn of this node through another one (a
     * resumable turn then keeps running for it as for one attached here), and stops another node's turn.
     */
    public Turns(TurnLogs logs, Timer timer, Clock clock, Settings settings, TurnDirectory directory) {
        this.directory = Checks.notNull(directory, "directory");
        this.logs = Checks.notNull(logs, "logs");
        this.timer = Checks.notNull(timer, "timer");
        this.clock = Checks.notNull(clock, "clock");
        this.settings = Checks.notNull(settings, "settings");
    }

    /**
     * Starts a turn running {@code body}, or, when {@code user} started one with the same {@code idempotencyKey}
     * within the window, returns that one (attach from 0 to replay it). Attach to the turn right away: a turn that
     * nobody attaches to is treated as one whose client left.
     */
    public Turn start(UserId user, boolean resumable, Optional<String> idempotencyKey, Body body) {
        Checks.notNull(body, "body");
        return start(user, resumable, idempotencyKey, () -> new Plan(java.util.OptionalLong.empty(), "", body));
    }

    /**
     * As {@link #start(UserId, boolean, Optional, Body)}, with the turn's {@link Plan} made by {@code planner} only
     * when a new turn starts: a retry with the same key (even one sent at the same moment) waits for the first
     * one's turn and gets it, and never makes a plan of its own.
     *
     * @throws RuntimeException what {@code planner} threw (the key is then free again)
     */
    public Turn start(UserId user, boolean resumable, Optional<String> idempotencyKey, Planner planner) {
        Checks.notNull(user, "user");
        Checks.notNull(planner, "planner");
        java.util.concurrent.CompletableFuture<Turn> mine = new java.util.concurrent.CompletableFuture<>();
        String keyed = idempotencyKey.map(k -> keyOf(user, k)).orElse(null);
        while (keyed != null) {
            Keyed k;
            synchronized (this) {
                k = keys.get(keyed);
                if (k == null || !clock.instant().isBefore(k.until()) || k.pending().isDone() && existing(k) == null) {
                    keys.put(keyed, new Keyed(mine, clock.instant().plus(settings.idempotencyWindow())));
                    break;
                }
            }
            Turn existing = existing(k); // waits for the first start's plan, outside the lock
            if (existing != null) {
                return existing;
            }
        }
        Turn turn;
        Plan plan;
        try {
            plan = planner.plan();
            String id = newId();
            turn = new Turn(this, id, user, resumable, plan.conversationId(), plan.message(),
                    clock.instant(), logs.create(id));
            turns.put(id, turn);
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e); // a retry waiting for it starts its own
            sweepKeys();
            throw e;
        }
        mine.complete(turn);
        turn.begin(plan.body());
        return turn;
    }

    /** The turn a key's first start made, once made; null when that start failed or the turn is forgotten. */
    private Turn existing(Keyed k) {
        try {
            Turn t = k.pending().join();
            return turns.get(t.id()) == t ? t : null;
        } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
            return null;
        }
    }

    /**
     * {@code user}'s newest running turn in conversation {@code conversationId}, if there is one: what a page that
     * reloads mid-reply attaches to.
     */
    public Optional<Turn> runningIn(UserId user, long conversationId) {
        Checks.notNull(user, "user");
        Turn newest = null;
        for (Turn t : turns.values()) {
            if (!t.ended() && t.user().equals(user) && t.conversationId().isPresent()
                    && t.conversationId().getAsLong() == conversationId
                    && (newest == null || t.startedNanos() - newest.startedNanos() > 0)) {
                newest = t;
            }
        }
        return Optional.ofNullable(newest);
    }

    /** {@code user}'s turn {@code turnId}, while it is kept; another user's is never found. */
    public Optional<Turn> find(UserId user, String turnId) {
        Turn t = turnId == null ? null : turns.get(turnId);
        return t != null && t.user().equals(user) ? Optional.of(t) : Optional.empty();
    }

    /**
     * Another node's turn, to read here: attach to it as to one of this node's ({@link Turn#stop} asks its node to
     * stop it). Not kept here: find it again through the directory.
     */
    public Turn follow(TurnDirectory.Followed followed) {
        return new Turn(this, Checks.notNull(followed, "followed"));
    }

    /** Turns running now. */
    public int running() {
        return (int) turns.values().stream().filter(t -> !t.ended()).count();
    }

    /** Turns kept now, running or ended. */
    public int kept() {
        return turns.size();
    }

    /** Stops every running turn (a shutdown): each ends with {@code code}. */
    public void stopAll(ErrorCode code, String message) {
        for (Turn t : turns.values()) {
            t.cancel(code, message);
        }
    }

    @Override
    public void close() {
        stopAll(ErrorCode.SERVER_SHUTDOWN, "The server is stopping; the reply was cut short");
    }

    /** Whether a client reads this node's turn through another node now. */
    boolean readElsewhere(String turnId) {
        return directory.shared() && directory.readElsewhere(turnId);
    }

    /** Asks the node that runs a followed turn to stop it. */
    boolean stopElsewhere(Turn turn) {
        return directory.stopElsewhere(turn.user(), turn.id());
    }

    Settings settings() {
        return settings;
    }

    Timer timer() {
        return timer;
    }

    /** The turn wrote its terminal event: keep its log a while, within the memory bound. */
    void ended(Turn turn) {
        synchronized (this) {
            long size = turn.log().bytes();
            ended.put(turn.id(), size);
            endedBytes += size;
            while (endedBytes > settings.memoryBytes() && !ended.isEmpty()) {
                String oldest = ended.keySet().iterator().next();
                forget(oldest);
            }
        }
        timer.schedule(settings.keep(), () -> {
            synchronized (this) {
                forget(turn.id());
            }
        });
        sweepKeys();
    }

    /** Under this object's lock. */
    private void forget(String turnId) {
        Long size = ended.remove(turnId);
        if (size != null) {
            endedBytes -= size;
            turns.remove(turnId);
            logs.remove(turnId);
        }
    }

    private void sweepKeys() {
        Instant now = clock.instant();
        keys.values().removeIf(k -> !now.isBefore(k.until()) || k.pending().isDone()
                && (k.pending().isCompletedExceptionally() || !turns.containsKey(k.pending().join().id())));
    }

    private static String keyOf(UserId user, String key) {
        return user.value() + '\u0000' + key;
    }

    private String newId() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
