package dev.chatstream.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** {@link TurnLogs} in this process's memory: for one node. Thread-safe. */
public final class InMemoryTurnLogs implements TurnLogs {
    private final Map<String, Log> logs = new ConcurrentHashMap<>();

    @Override
    public TurnLog create(String turnId) {
        Log log = new Log();
        if (logs.putIfAbsent(turnId, log) != null) {
            throw new IllegalStateException("turn " + turnId + " already has a log");
        }
        return log;
    }

    @Override
    public Optional<TurnLog> find(String turnId) {
        return Optional.ofNullable(logs.get(turnId));
    }

    @Override
    public void remove(String turnId) {
        logs.remove(turnId);
    }

    /** One turn's events in a list, readers woken on every append. */
    private static final class Log implements TurnLog {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition appended = lock.newCondition();
        private final List<ChatEvent> events = new ArrayList<>();
        private volatile boolean ended;
        private volatile long bytes;

        @Override
        public long append(ChatEvent event) {
            Checks.notNull(event, "event");
            lock.lock();
            try {
                if (ended) {
                    throw new IllegalStateException("the turn already ended; nothing can follow its terminal event");
                }
                events.add(event);
                bytes += size(event);
                if (event instanceof ChatEvent.Done || event instanceof ChatEvent.Failed) {
                    ended = true;
                }
                appended.signalAll();
                return events.size();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public Batch read(long after, Duration wait) throws InterruptedException {
            long nanos = wait.toNanos();
            lock.lockInterruptibly();
            try {
                while (events.size() <= after && !ended && nanos > 0) {
                    nanos = appended.awaitNanos(nanos);
                }
                List<Entry> out = new ArrayList<>();
                for (long seq = Math.max(0, after) + 1; seq <= events.size(); seq++) {
                    out.add(new Entry(seq, events.get((int) seq - 1)));
                }
                return new Batch(out, ended);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public long last() {
            lock.lock();
            try {
                return events.size();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public boolean ended() {
            return ended;
        }

        @Override
        public long bytes() {
            return bytes;
        }

        /** An estimate: the text it carries, twice (UTF-16), and a fixed overhead. */
        private static long size(ChatEvent event) {
            long text = switch (event) {
                case ChatEvent.Chunk c -> c.content().length();
                case ChatEvent.Thinking t -> t.content().length();
                case ChatEvent.FinalText f -> f.text().length();
                case ChatEvent.Failed f -> f.message().length();
                case ChatEvent.ActionResult r -> r.message().length();
                case ChatEvent.InvalidAction i -> i.message().length();
                case ChatEvent.ActionRequested a -> a.action().args().toString().length();
                case ChatEvent.Done d -> 0;
                case ChatEvent.Queued q -> 0;
                case ChatEvent.Phase p -> 0;
                case ChatEvent.Speech s -> s.text().length();
            };
            return 2 * text + 64;
        }
    }
}
