package dev.chatstream.cache;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;

/** Many callers at once behind one held load: proves that the others wait for it instead of loading too. */
final class Crowd {
    private Crowd() {
    }

    /**
     * Starts {@code size} threads that each call {@code call}; the first load stops at {@code gate}, and the
     * gate opens only once every thread is parked (waiting on the load or on the cache's lock).
     */
    static <T> List<T> callTogether(int size, Gate gate, Supplier<T> call) throws InterruptedException {
        gate.arm();
        ConcurrentLinkedQueue<T> results = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            threads.add(Thread.ofPlatform().name("caller-" + i).start(() -> {
                try {
                    results.add(call.get());
                } catch (Throwable t) {
                    errors.add(t);
                }
            }));
        }
        gate.awaitArrival();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!threads.stream().allMatch(Crowd::parked)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("callers did not all wait within 10 s");
            }
            Thread.onSpinWait();
        }
        gate.release();
        for (Thread t : threads) {
            t.join(10_000);
        }
        if (!errors.isEmpty()) {
            throw new AssertionError("a caller failed", errors.peek());
        }
        return List.copyOf(results);
    }

    private static boolean parked(Thread t) {
        Thread.State s = t.getState();
        return s == Thread.State.BLOCKED || s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING;
    }
}
