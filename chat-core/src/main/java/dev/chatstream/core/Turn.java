package dev.chatstream.core;

import java.time.Duration;

/**
 * One running (or recently ended) chat turn of {@link Turns}: its id, its user, its log and who is attached.
 * Thread-safe.
 */
public final class Turn {
    private final Turns turns;
    private final String id;
    private final UserId user;
    private final boolean resumable;
    private final java.util.OptionalLong conversationId;
    private final String message;
    private final long startedNanos = System.nanoTime();
    private final java.time.Instant startedAt;
    private final TurnLog log;
    private final Cancellation cancellation = new Cancellation();
    private final java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);
    /**
     * How many events the slowest attached reader may lag behind before the turn waits for it: a client that stops
     * reading holds the model back (and, after the server's write timeout, is dropped), as without turns.
     */
    static final int WINDOW = 1024;
    /** How long a plain turn waits for its first reader (the response that started it) before it stops. */
    static final Duration FIRST_READER_WAIT = Duration.ofSeconds(10);

    /** Whether it runs on another node and is read here ({@link Turns#follow}): it never runs nor stops here. */
    private final boolean follower;
    /** A follower this node stopped reading (it shuts down): its readers end without a terminal event. */
    private volatile boolean abandoned;

    private final java.util.Set<Attachment> readers = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Object lag = new Object();
    private int attached;
    private boolean everAttached;
    private Runnable graceTimer;

    Turn(Turns turns, String id, UserId user, boolean resumable, java.util.OptionalLong conversationId,
            String message, java.time.Instant startedAt, TurnLog log) {
        this.turns = turns;
        this.startedAt = startedAt;
        this.id = id;
        this.user = user;
        this.resumable = resumable;
        this.conversationId = conversationId;
        this.message = message;
        this.log = log;
        this.follower = false;
    }

    /** Another node's turn, read here from the shared copy of its log. */
    Turn(Turns turns, TurnDirectory.Followed followed) {
        TurnDirectory.Running r = followed.turn();
        this.turns = turns;
        this.id = r.turnId();
        this.user = r.user();
        this.resumable = r.resumable();
        this.conversationId = r.conversationId();
        this.message = r.message();
        this.startedAt = r.startedAt();
        this.log = followed.log();
        this.follower = true;
    }

    /** 128 random bits, URL-safe (22 characters). */
    public String id() {
        return id;
    }

    public UserId user() {
        return user;
    }

    /** The conversation it is stored in, when that was known at its start. */
    public java.util.OptionalLong conversationId() {
        return conversationId;
    }

    /** The user's message it answers (empty when its starter did not say). */
    public String message() {
        return message;
    }

    /** When it started, by its {@link Turns}' clock. */
    public java.time.Instant startedAt() {
        return startedAt;
    }

    /** Orders turns by start ({@link #startedAt} cannot: two turns can start within one tick of a clock). */
    long startedNanos() {
        return startedNanos;
    }

    /** Whether it keeps running for the grace period with nobody attached. */
    public boolean resumable() {
        return resumable;
    }

    /** Whether its terminal event is written. */
    public boolean ended() {
        return log.ended();
    }

    /** The {@code seq} of its last event so far. */
    public long lastSeq() {
        return log.last();
    }

    TurnLog log() {
        return log;
    }

    /**
     * Waits until the turn's thread is done, its end bookkept (a stored turn is stored by then); false after
     * {@code timeout}.
     */
    public boolean awaitFinished(Duration timeout) throws InterruptedException {
        return finished.await(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /**
     * Attaches a reader that has every event up to {@code after} (0 for none); close it when the client leaves.
     * Attaching cancels a pending grace expiry.
     */
    public Attachment attach(long after) {
        synchronized (this) {
            attached++;
            everAttached = true;
            if (graceTimer != null) {
                graceTimer.run();
                graceTimer = null;
            }
        }
        return new Attachment(after);
    }

    /**
     * Ends the turn at once, for everyone attached ({@link ErrorCode#CANCELLED}); nothing when it already ended.
     *
     * @return whether this call stopped it
     */
    public boolean stop() {
        return cancel(ErrorCode.CANCELLED, "Stopped");
    }

    /**
     * Ends the turn at once with {@code code} (e.g. {@link ErrorCode#SERVER_SHUTDOWN}); nothing when it already ended.
     *
     * @return whether this call stopped it
     */
    public boolean cancel(ErrorCode code, String message) {
        if (follower) {
            if (log.ended()) {
                return false;
            }
            if (code == ErrorCode.CANCELLED) {
                return turns.stopElsewhere(this); // its node stops it; its terminal event comes through the log
            }
            abandoned = true; // this node stops reading; the turn goes on where it runs, and can be resumed there
            return true;
        }
        return !log.ended() && cancellation.cancel(code, message);
    }

    /** Whether it runs on another node and is only read here. */
    public boolean followed() {
        return follower;
    }

    void begin(Turns.Body body) {
        Thread.ofVirtual().name("turn-" + id).start(() -> {
            try {
                body.run(this::write, cancellation);
            } catch (RuntimeException e) {
                System.getLogger(Turn.class.getName()).log(System.Logger.Level.ERROR, "Turn " + id + " failed", e);
            } finally {
                if (!log.ended()) { // the body must end with a terminal event; if it did not, end it here
                    write(new ChatEvent.Failed(ErrorCode.INTERNAL,
                            "Something went wrong in chatstream; the server log has the details"));
                }
                try {
                    turns.ended(this);
                } finally {
                    finished.countDown();
                }
            }
        });
        synchronized (this) {
            if (!everAttached) {
                // nobody yet: give the starter the grace period (or, for a plain turn, a moment) to attach
                armGrace(resumable ? turns.settings().grace() : FIRST_READER_WAIT);
            }
        }
    }

    private boolean write(ChatEvent event) {
        awaitReaders();
        synchronized (log) {
            if (log.ended()) {
                return false;
            }
            log.append(event);
            return true;
        }
    }

    /** Waits while the slowest attached reader is {@link #WINDOW} events behind, until it reads or the turn stops. */
    private void awaitReaders() {
        synchronized (lag) {
            while (!cancellation.isCancelled() && lagging()) {
                try {
                    lag.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private boolean lagging() {
        long last = log.last();
        for (Attachment r : readers) {
            if (last - r.seq >= WINDOW) {
                return true;
            }
        }
        return false;
    }

    private void readersMoved() {
        synchronized (lag) {
            lag.notifyAll();
        }
    }

    private void detached() {
        synchronized (this) {
            attached--;
            if (attached > 0 || log.ended() || follower) {
                return;
            }
            if (!resumable) {
                cancellation.cancel(Turns.CLIENT_GONE);
                return;
            }
            armGrace(turns.settings().grace());
        }
    }

    /** Under this object's lock. */
    private void armGrace(Duration grace) {
        if (graceTimer != null) {
            graceTimer.run();
        }
        graceTimer = turns.timer().schedule(grace, () -> {
            // a client reading it through another node keeps it as one attached here would (asked outside the lock)
            boolean elsewhere = resumable && !log.ended() && turns.readElsewhere(id);
            synchronized (Turn.this) {
                if (attached == 0 && elsewhere) {
                    armGrace(grace);
                } else if (attached == 0) {
                    cancellation.cancel(ErrorCode.CANCELLED, "Nobody came back for the reply within "
                            + grace.toSeconds() + " s, so it was stopped");
                }
            }
        });
    }

    /** One client reading the turn: one thread reads; {@link #close} may come from any. */
    public final class Attachment implements AutoCloseable {
        private volatile long seq;
        private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

        private Attachment(long after) {
            this.seq = after;
            readers.add(this);
        }

        /**
         * The events after the last one read, waiting up to {@code wait} when there are none yet.
         *
         * @return the events (empty when none came in time) and whether the turn has ended
         */
        public TurnLog.Batch next(Duration wait) throws InterruptedException {
            if (abandoned) {
                return new TurnLog.Batch(java.util.List.of(), false);
            }
            TurnLog.Batch batch = log.read(seq, wait);
            if (!batch.entries().isEmpty()) {
                seq = batch.entries().getLast().seq();
                readersMoved();
            }
            return batch;
        }

        /** The {@code seq} of the last event read. */
        public long seq() {
            return seq;
        }

        /** Whether this reader has read the terminal event (or, for another node's turn, this node stopped reading it). */
        public boolean done() {
            return abandoned || log.ended() && seq >= log.last();
        }

        /**
         * Detaches (once; from any thread); with nobody left a plain turn stops at once and a resumable one after the
         * grace period.
         */
        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                detached(); // first: a plain turn is cancelled before its writer, no longer held back, runs on
                readers.remove(this);
                readersMoved();
            }
        }
    }
}
