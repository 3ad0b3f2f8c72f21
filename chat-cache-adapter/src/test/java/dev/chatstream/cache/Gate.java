package dev.chatstream.cache;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Holds one load at a chosen point: once armed, the next {@link #pass()} signals that it arrived and waits
 * for {@link #release()}. Lets a test put a write exactly inside a running load.
 */
final class Gate {
    private final AtomicBoolean armed = new AtomicBoolean();
    private final CountDownLatch arrived = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);

    void arm() {
        armed.set(true);
    }

    /** Called by the load: waits here if the gate is armed (once). */
    void pass() {
        if (armed.compareAndSet(true, false)) {
            arrived.countDown();
            await(released);
        }
    }

    void awaitArrival() {
        await(arrived);
    }

    void release() {
        released.countDown();
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("gate not reached within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
