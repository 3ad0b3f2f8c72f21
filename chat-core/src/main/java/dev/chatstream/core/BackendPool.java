package dev.chatstream.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Several LLM backends behind one {@link LlmStream}: each request goes to the backend with the fewest replies in
 * flight relative to its weight (ties to the one with fewer failures in a row, then to the one whose first tokens
 * came soonest lately, an exponentially weighted average), never to one at its concurrency cap; when all are at their cap the request waits in a bounded line
 * (the listener hears {@link LlmListener#onQueued} at once), then is served or fails with {@code server_busy}.
 *
 * <p>Health: a backend that failed {@link Limits#failuresToCool} times in a row (unreachable, 5xx, timeout, broken
 * stream) is skipped for a cooldown that doubles each time up to {@link Limits#maxCooldown}, then probed (its
 * {@link HealthCheck}) before it gets traffic again; one request probes, the others go elsewhere meanwhile. A backend
 * that says the model is missing is skipped for that model only. Failover happens before the first delta only: a
 * request that failed that way on one backend is sent to the next, invisibly; once a delta reached the listener, a
 * failure ends the reply as it would with one backend. Nothing delivered is ever delivered twice, so an action is
 * never asked for twice because of a retry. A request the backend refused as bad ({@code llm_rejected}) is not
 * retried and counts against nobody.
 *
 * <p>Pure logic over the port: the backends are any {@link LlmStream}s, the time a {@link LongSupplier} of
 * nanoseconds. Thread-safe; the lock is held only to choose and to return a backend, never during I/O.
 */
public final class BackendPool implements LlmStream, Measured {
    /**
     * One backend.
     *
     * @param name          for people, metrics and {@code /api/ready}: unique in the pool
     * @param llm           the backend itself
     * @param weight        its share of the traffic relative to the others, at least 1
     * @param maxConcurrent the most replies it may answer at once; 0 for no cap
     * @param probe         whether it can serve now; asked before a cooled-down backend gets traffic again
     */
    public record Backend(String name, LlmStream llm, int weight, int maxConcurrent, HealthCheck probe) {
        public Backend {
            Checks.notNull(name, "name");
            Checks.notNull(llm, "llm");
            Checks.notNull(probe, "probe");
            if (name.isBlank()) {
                throw new IllegalArgumentException("a backend's name must not be blank");
            }
            if (weight < 1 || weight > 1000) {
                throw new IllegalArgumentException("backend " + name + ": weight must be from 1 to 1000, got " + weight);
            }
            if (maxConcurrent < 0) {
                throw new IllegalArgumentException("backend " + name + ": maxConcurrent must not be negative");
            }
        }
    }

    /**
     * The pool's rules.
     *
     * @param failuresToCool failures in a row that cool a backend down
     * @param firstCooldown  the first cooldown; each next one doubles
     * @param maxCooldown    the longest cooldown
     * @param modelCooldown  how long a backend is skipped for a model it said it does not have
     * @param queueLimit     the most requests that may wait for a backend at once; more get {@code server_busy}
     * @param queueWait      the longest a request waits for a backend
     */
    public record Limits(int failuresToCool, Duration firstCooldown, Duration maxCooldown, Duration modelCooldown,
                         int queueLimit, Duration queueWait) {
        public Limits {
            if (failuresToCool < 1) {
                throw new IllegalArgumentException("failuresToCool must be at least 1");
            }
            Checks.notNull(firstCooldown, "firstCooldown");
            Checks.notNull(maxCooldown, "maxCooldown");
            Checks.notNull(modelCooldown, "modelCooldown");
            Checks.notNull(queueWait, "queueWait");
            if (queueLimit < 0) {
                throw new IllegalArgumentException("queueLimit must not be negative");
            }
        }

        /** 3 failures, 5 s doubling up to 5 min, 1 min for a missing model, 64 waiting for at most 30 s. */
        public static Limits defaults() {
            return new Limits(3, Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofMinutes(1), 64,
                    Duration.ofSeconds(30));
        }
    }

    /** Where a backend stands. */
    public enum State {
        /** Gets traffic. */
        UP,
        /** Skipped after failures until its cooldown ends. */
        COOLING_DOWN,
        /** Its cooldown ended; one request is asking its probe. */
        PROBING
    }

    /**
     * What the pool knows of one backend now, for {@code /api/ready} and people.
     *
     * @param lastProblem the message of its latest failure, empty when it never failed or has since served
     */
    public record Status(String name, State state, int inFlight, Duration firstTokenAverage, String lastProblem) {
    }

    /** The codes that say a backend could not answer, so another may: counted, and failed over before a delta. */
    private static final Set<ErrorCode> BACKEND_FAULTS = Set.of(ErrorCode.LLM_UNAVAILABLE, ErrorCode.LLM_BUSY,
            ErrorCode.LLM_FAILED, ErrorCode.LLM_PROTOCOL, ErrorCode.LLM_TIMEOUT);
    /** Weight of the newest first-token time in the average. */
    private static final double EWMA = 0.2;

    private final List<Slot> slots;
    private final Limits limits;
    private final LongSupplier nanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition freed = lock.newCondition();
    private int waiting;

    /** A pool of {@code backends} (at least one, names unique) with {@code limits}, on {@code nanos} time. */
    public BackendPool(List<Backend> backends, Limits limits, LongSupplier nanos) {
        Checks.notNull(backends, "backends");
        this.limits = Checks.notNull(limits, "limits");
        this.nanos = Checks.notNull(nanos, "nanos");
        if (backends.isEmpty()) {
            throw new IllegalArgumentException("a pool needs at least one backend");
        }
        Set<String> names = new HashSet<>();
        List<Slot> list = new ArrayList<>();
        for (Backend b : backends) {
            if (!names.add(b.name())) {
                throw new IllegalArgumentException("two backends are named " + b.name());
            }
            list.add(new Slot(b, limits.firstCooldown()));
        }
        this.slots = List.copyOf(list);
    }

    /** A pool on the system's clock with the default limits. */
    public static BackendPool of(List<Backend> backends) {
        return new BackendPool(backends, Limits.defaults(), System::nanoTime);
    }

    /** One backend's state, guarded by the pool's lock (the figures read by metrics are volatile). */
    private static final class Slot {
        final Backend backend;
        volatile int inFlight;
        volatile State state = State.UP;
        volatile double firstTokenNanos; // 0 until one is measured
        volatile String lastProblem = "";
        int failuresInARow;
        long coolUntil;
        Duration cooldown;
        final Map<String, Long> missingModels = new LinkedHashMap<>();
        final Map<ErrorCode, java.util.concurrent.atomic.LongAdder> errors = new EnumMap<>(ErrorCode.class);

        Slot(Backend backend, Duration firstCooldown) {
            this.backend = backend;
            this.cooldown = firstCooldown;
            for (ErrorCode code : ErrorCode.values()) {
                errors.put(code, new java.util.concurrent.atomic.LongAdder());
            }
        }
    }

    /** A choice: the slot, and whether it must be probed first. */
    private record Choice(Slot slot, boolean probe) {
    }

    @Override
    public Usage stream(LlmRequest request, LlmListener listener, Cancellation cancellation) {
        cancellation.throwIfCancelled();
        String model = request.options().modelOverride().orElse("");
        Set<Slot> tried = new HashSet<>();
        ChatException last = null;
        boolean[] queuedSaid = {false};
        while (true) {
            Slot slot = acquire(model, tried, last, listener, queuedSaid, cancellation);
            tried.add(slot);
            boolean[] delivered = {false};
            long start = nanos.getAsLong();
            try {
                Usage usage = slot.backend.llm().stream(request, new LlmListener() {
                    @Override
                    public void onDelta(LlmDelta delta) {
                        if (!delivered[0]) {
                            delivered[0] = true;
                            firstToken(slot, nanos.getAsLong() - start);
                        }
                        listener.onDelta(delta);
                    }

                    @Override
                    public void onLoadingModel() {
                        listener.onLoadingModel();
                    }
                }, cancellation);
                succeeded(slot);
                return usage;
            } catch (StreamCancelledException e) {
                throw e;
            } catch (ChatException e) {
                boolean retry = failed(slot, e, model);
                if (!retry || delivered[0] || cancellation.isCancelled()) {
                    throw e;
                }
                last = e;
            } finally {
                release(slot);
            }
        }
    }

    /**
     * A backend for this request, waiting in line when all are at their cap.
     *
     * @throws ChatException when none can answer ({@code last} when every one was tried), or the line is full
     */
    private Slot acquire(String model, Set<Slot> tried, ChatException last, LlmListener listener, boolean[] queuedSaid,
                         Cancellation cancellation) {
        long deadline = nanos.getAsLong() + limits.queueWait().toNanos();
        boolean inLine = false;
        try (Cancellation.Registration ignored = cancellation.onCancel(this::wakeAll)) {
            while (true) {
                Choice choice;
                int announce = 0;
                lock.lock();
                try {
                    choice = choose(model, tried);
                    if (choice != null) {
                        choice.slot().inFlight++;
                    } else {
                        if (!anyCapped(model, tried)) {
                            throw nobody(last);
                        }
                        if (!inLine) {
                            if (waiting >= limits.queueLimit()) {
                                throw busy();
                            }
                            waiting++;
                            inLine = true;
                            if (!queuedSaid[0]) {
                                queuedSaid[0] = true;
                                announce = waiting;
                            }
                        }
                        if (announce == 0) {
                            long left = deadline - nanos.getAsLong();
                            if (left <= 0) {
                                throw busy();
                            }
                            cancellation.throwIfCancelled();
                            freed.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StreamCancelledException("Interrupted while waiting for an LLM backend");
                } finally {
                    lock.unlock();
                }
                if (announce > 0) {
                    listener.onQueued(announce); // outside the lock: the listener writes to a client
                    continue;
                }
                if (choice == null) {
                    cancellation.throwIfCancelled();
                    continue;
                }
                if (!choice.probe() || probe(choice.slot())) {
                    return choice.slot();
                }
                release(choice.slot());
            }
        } finally {
            if (inLine) {
                lock.lock();
                try {
                    waiting--;
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    private void wakeAll() {
        lock.lock();
        try {
            freed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The best backend free now, or null; marks a cooled-down one it picks as probing. Under the lock. */
    private Choice choose(String model, Set<Slot> tried) {
        long now = nanos.getAsLong();
        Slot best = null;
        for (Slot s : slots) {
            if (tried.contains(s) || missing(s, model, now) || atCap(s)) {
                continue;
            }
            if (s.state == State.PROBING || (s.state == State.COOLING_DOWN && now < s.coolUntil)) {
                continue;
            }
            if (s.state == State.COOLING_DOWN) {
                best = s; // its cooldown is over: probe it now, or an idle pool would never take it back
                break;
            }
            if (best == null || better(s, best)) {
                best = s;
            }
        }
        if (best == null) {
            return null;
        }
        boolean probe = best.state == State.COOLING_DOWN;
        if (probe) {
            best.state = State.PROBING;
        }
        return new Choice(best, probe);
    }

    /**
     * Fewer in flight per weight; then fewer failures in a row (one that just failed is not asked again first); then
     * the sooner first token (unknown counts as soonest, so it gets measured). Under the lock.
     */
    private static boolean better(Slot a, Slot b) {
        long left = (long) a.inFlight * b.backend.weight();
        long right = (long) b.inFlight * a.backend.weight();
        if (left != right) {
            return left < right;
        }
        if (a.failuresInARow != b.failuresInARow) {
            return a.failuresInARow < b.failuresInARow;
        }
        return a.firstTokenNanos < b.firstTokenNanos;
    }

    private static boolean atCap(Slot s) {
        return s.backend.maxConcurrent() > 0 && s.inFlight >= s.backend.maxConcurrent();
    }

    private static boolean missing(Slot s, String model, long now) {
        Long until = s.missingModels.get(model);
        if (until == null) {
            return false;
        }
        if (now >= until) {
            s.missingModels.remove(model);
            return false;
        }
        return true;
    }

    /** Whether some untried backend that could serve is only at its cap (so waiting helps). Under the lock. */
    private boolean anyCapped(String model, Set<Slot> tried) {
        long now = nanos.getAsLong();
        for (Slot s : slots) {
            if (!tried.contains(s) && !missing(s, model, now) && atCap(s)
                    && (s.state == State.UP || now >= s.coolUntil)) {
                return true;
            }
        }
        return false;
    }

    /** Asks a cooled-down backend's probe, outside the lock; it is up again or cools down longer. */
    private boolean probe(Slot slot) {
        Health health;
        try {
            health = slot.backend.probe().check();
        } catch (RuntimeException e) {
            health = Health.problem(Map.of(), "its check failed: " + e, java.util.Optional.empty());
        }
        lock.lock();
        try {
            if (health.problem().isEmpty()) {
                slot.state = State.UP;
                slot.failuresInARow = 0;
                slot.cooldown = limits.firstCooldown();
                return true;
            }
            slot.lastProblem = health.problem().get();
            coolDown(slot);
            return false;
        } finally {
            lock.unlock();
        }
    }

    private void coolDown(Slot slot) {
        slot.state = State.COOLING_DOWN;
        slot.coolUntil = nanos.getAsLong() + slot.cooldown.toNanos();
        Duration next = slot.cooldown.multipliedBy(2);
        slot.cooldown = next.compareTo(limits.maxCooldown()) > 0 ? limits.maxCooldown() : next;
    }

    private void firstToken(Slot slot, long tookNanos) {
        double previous = slot.firstTokenNanos;
        slot.firstTokenNanos = previous == 0 ? tookNanos : previous + EWMA * (tookNanos - previous);
    }

    private void succeeded(Slot slot) {
        lock.lock();
        try {
            slot.failuresInARow = 0;
            slot.cooldown = limits.firstCooldown();
            slot.lastProblem = "";
        } finally {
            lock.unlock();
        }
    }

    /** Counts a failure; whether another backend may be tried for it. */
    private boolean failed(Slot slot, ChatException e, String model) {
        slot.errors.get(e.code()).increment();
        lock.lock();
        try {
            if (e.code() == ErrorCode.MODEL_NOT_FOUND) {
                slot.missingModels.put(model, nanos.getAsLong() + limits.modelCooldown().toNanos());
                slot.lastProblem = e.getMessage();
                return true;
            }
            if (!BACKEND_FAULTS.contains(e.code())) {
                return false;
            }
            slot.lastProblem = e.getMessage();
            if (++slot.failuresInARow >= limits.failuresToCool() && slot.state == State.UP) {
                coolDown(slot);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void release(Slot slot) {
        lock.lock();
        try {
            slot.inFlight--;
            freed.signal();
        } finally {
            lock.unlock();
        }
    }

    private ChatException busy() {
        return new TransientException(ErrorCode.SERVER_BUSY, "Every LLM backend (" + names() + ") is answering as "
                + "many replies as it may, and the line for one is full or took too long; try again in a moment",
                Duration.ofSeconds(5));
    }

    /**
     * When no backend is left to try: with one backend its own failure, unchanged; with several one error that names
     * each and what it last said, with the code of the latest failure.
     */
    private ChatException nobody(ChatException last) {
        if (slots.size() == 1 && last != null) {
            return last;
        }
        StringBuilder why = new StringBuilder();
        long now = nanos.getAsLong();
        for (Slot s : slots) {
            why.append(why.isEmpty() ? "" : "; ").append(s.backend.name()).append(": ");
            if (s.state != State.UP && now < s.coolUntil) {
                why.append("cooling down for ").append(Math.max(1, (s.coolUntil - now + 999_999_999) / 1_000_000_000))
                        .append(" s after failing");
                why.append(s.lastProblem.isEmpty() ? "" : " (" + s.lastProblem + ")");
            } else {
                why.append(s.lastProblem.isEmpty() ? "no answer" : s.lastProblem);
            }
        }
        ErrorCode code = last != null ? last.code() : ErrorCode.LLM_UNAVAILABLE;
        String message = "No LLM backend could answer — " + why;
        return code.retryable() ? new TransientException(code, message, limits.firstCooldown())
                : new UpstreamException(code, message);
    }

    private String names() {
        return String.join(", ", slots.stream().map(s -> s.backend.name()).toList());
    }

    /** Each backend's state now, in the configured order. */
    public List<Status> status() {
        lock.lock();
        try {
            List<Status> out = new ArrayList<>();
            for (Slot s : slots) {
                out.add(new Status(s.backend.name(), s.state, s.inFlight,
                        Duration.ofNanos((long) s.firstTokenNanos), s.lastProblem));
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** How many requests wait for a backend now. */
    public int waiting() {
        lock.lock();
        try {
            return waiting;
        } finally {
            lock.unlock();
        }
    }

    /** The smallest context the backends that are up know of; empty when none knows. */
    @Override
    public OptionalInt contextTokens(ChatOptions options) {
        return smallest(options, true);
    }

    /** The smallest reply limit the backends set; empty when none does. */
    @Override
    public OptionalInt replyTokens(ChatOptions options) {
        return smallest(options, false);
    }

    private OptionalInt smallest(ChatOptions options, boolean context) {
        OptionalInt best = OptionalInt.empty();
        for (Slot s : slots) {
            if (s.state != State.UP) {
                continue; // asking a backend that is down could wait for its timeouts
            }
            OptionalInt v = context ? s.backend.llm().contextTokens(options) : s.backend.llm().replyTokens(options);
            if (v.isPresent() && (best.isEmpty() || v.getAsInt() < best.getAsInt())) {
                best = v;
            }
        }
        return best;
    }

    /**
     * The models of every backend that is up, each once, in the backends' order.
     *
     * @throws ChatException when every backend that was asked failed (the last failure)
     */
    @Override
    public List<String> models() {
        java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>();
        ChatException last = null;
        boolean answered = false;
        for (Slot s : slots) {
            if (s.state != State.UP) {
                continue;
            }
            try {
                all.addAll(s.backend.llm().models());
                answered = true;
            } catch (ChatException e) {
                last = e;
            }
        }
        if (!answered && last != null) {
            throw last;
        }
        return List.copyOf(all);
    }

    /** The first backend's model. */
    @Override
    public java.util.Optional<String> configuredModel() {
        return slots.getFirst().backend.llm().configuredModel();
    }

    @Override
    public void describeTo(Meters meters) {
        meters.gauge("chatstream.llm.pool.waiting", "Requests waiting for a free LLM backend", Map.of(),
                this::waiting);
        for (Slot s : slots) {
            Map<String, String> tag = Map.of("backend", s.backend.name());
            meters.gauge("chatstream.llm.backend.in.flight", "Replies a backend is answering now", tag,
                    () -> s.inFlight);
            meters.gauge("chatstream.llm.backend.first.token.seconds",
                    "A backend's recent time to first token (exponentially weighted)", tag,
                    () -> s.firstTokenNanos / 1e9);
            meters.gauge("chatstream.llm.backend.up", "1 when a backend gets traffic, 0 when cooling down or probing",
                    tag, () -> s.state == State.UP ? 1 : 0);
            for (ErrorCode code : ErrorCode.values()) {
                if (BACKEND_FAULTS.contains(code) || code == ErrorCode.MODEL_NOT_FOUND
                        || code == ErrorCode.LLM_REJECTED) {
                    meters.counter("chatstream.llm.backend.errors", "A backend's failures, by code",
                            Map.of("backend", s.backend.name(), "code", code.code()),
                            () -> s.errors.get(code).sum());
                }
            }
        }
    }
}
