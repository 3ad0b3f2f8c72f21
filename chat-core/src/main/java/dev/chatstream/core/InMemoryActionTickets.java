package dev.chatstream.core;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/** {@link ActionTickets} in this process's memory (one node: a restart forgets them, and nothing runs). Thread-safe. */
public final class InMemoryActionTickets implements ActionTickets {
    private final Map<String, Waiting> tickets = new ConcurrentHashMap<>();
    private volatile Instant nextSweep = Instant.MIN;

    private enum State { WAITING, DECIDED, EXPIRED }

    private record Waiting(UserId user, Action action, Instant confirmBy, Instant keepUntil,
                           AtomicReference<State> state) {
    }

    @Override
    public Optional<Full> hold(String id, UserId user, Action action, Instant confirmBy, Instant keepUntil,
            Instant now, int maxTotal, int maxPerUser) {
        sweep(now, maxTotal);
        synchronized (tickets) { // the count and the put are one step, so concurrent replies cannot pass a cap
            if (waiting(now) >= maxTotal) {
                return Optional.of(Full.SERVICE);
            }
            long mine = tickets.values().stream().filter(w -> w.user.equals(user) && live(w, now)).count();
            if (mine >= maxPerUser) {
                return Optional.of(Full.USER);
            }
            tickets.put(id, new Waiting(user, action, confirmBy, keepUntil, new AtomicReference<>(State.WAITING)));
            return Optional.empty();
        }
    }

    @Override
    public Taken take(UserId user, String id, Instant now) {
        Waiting w = tickets.get(id);
        if (w == null || !w.user.equals(user)) {
            return new Taken.Missing();
        }
        if (w.state.get() == State.EXPIRED || (now.isAfter(w.confirmBy) && w.state.get() != State.DECIDED)) {
            return new Taken.Expired(w.action, w.confirmBy, w.state.compareAndSet(State.WAITING, State.EXPIRED));
        }
        if (!w.state.compareAndSet(State.WAITING, State.DECIDED)) {
            return new Taken.Decided();
        }
        return new Taken.Got(w.action, w.confirmBy);
    }

    @Override
    public int waiting(Instant now) {
        return (int) tickets.values().stream().filter(w -> live(w, now)).count();
    }

    private static boolean live(Waiting w, Instant now) {
        return w.state.get() == State.WAITING && !now.isAfter(w.confirmBy);
    }

    /** Forgets tickets past their keeping time, at most once a minute unless the map is full. */
    private void sweep(Instant now, int maxTotal) {
        if (now.isBefore(nextSweep) && tickets.size() < maxTotal) {
            return;
        }
        nextSweep = now.plusSeconds(60);
        tickets.values().removeIf(w -> now.isAfter(w.keepUntil));
    }
}
