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
    private final Timer timer;
    private final Clock clock;
    private final Settings settings;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Turn> turns = new ConcurrentHashMap<>();
    /** Ended turns still kept, oldest first, with their logs' sizes. */
    private final LinkedHashMap<String, Long> ended = new LinkedHashMap<>();
    private final Map<String, Keyed> keys = new ConcurrentHashMap<>();
    private long endedBytes;

    private record Keyed(String turnId, Instant until) {
    }

    public Turns(TurnLogs logs, Timer timer, Clock clock, Settings settings) {
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
        Checks.notNull(user, "user");
        Checks.notNull(body, "body");
        Turn turn;
        synchronized (this) {
            if (idempotencyKey.isPresent()) {
                Keyed k = keys.get(keyOf(user, idempotencyKey.get()));
                if (k != null && clock.instant().isBefore(k.until())) {
                    Turn existing = turns.get(k.turnId());
                    if (existing != null) {
                        return existing;
                    }
                }
            }
            String id = newId();
            turn = new Turn(this, id, user, resumable, logs.create(id));
            turns.put(id, turn);
            idempotencyKey.ifPresent(key -> keys.put(keyOf(user, key),
                    new Keyed(id, clock.instant().plus(settings.idempotencyWindow()))));
        }
        turn.begin(body);
        return turn;
    }

    /** {@code user}'s turn {@code turnId}, while it is kept; another user's is never found. */
    public Optional<Turn> find(UserId user, String turnId) {
        Turn t = turnId == null ? null : turns.get(turnId);
        return t != null && t.user().equals(user) ? Optional.of(t) : Optional.empty();
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
        keys.values().removeIf(k -> !now.isBefore(k.until()) || !turns.containsKey(k.turnId()));
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
