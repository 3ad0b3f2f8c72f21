package dev.chatstream.redis;

import dev.chatstream.core.ChatEvent;
import dev.chatstream.core.InMemoryTurnLogs;
import dev.chatstream.core.TurnLog;
import dev.chatstream.core.TurnLogs;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisException;

/**
 * {@link TurnLogs} for several nodes: each log is kept in this process's memory, as on one node (the turn's own
 * readers never wait for Redis), and copied to a Redis Stream ({@code <prefix>:log:<turn>}, entry id {@code 0-<seq>})
 * by one writer thread, which gathers what every turn appended since its last round (at most one round per
 * {@link #ROUND}) and sends it in one pipelined round trip, one Lua script per turn. The script is the fence: it writes only while the turn's entry in the
 * directory ({@code <prefix>:turn:<id>}, {@link RedisTurnDirectory}) names this node and the turn has not ended there
 * (a node thought dead, whose turn another node ended with {@code node_lost}, writes nothing more), and it skips the
 * numbers the stream already has, so a round whose answer was lost is sent again without duplicates. While Redis is
 * down, the copies wait (the logs are in memory) and are sent when it is back. A stream lives as long as a turn can
 * run, and {@code keep} after its terminal event. Thread-safe; {@link #close} stops the writer.
 */
public final class RedisTurnLogs implements TurnLogs, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RedisTurnLogs.class.getName());

    /**
     * KEYS: turn, log. ARGV: node, keep ms, longest ms (only with a turn's first events, when its stream starts), ends
     * ("1"), then seq, event pairs. An entry the stream already has (a round sent again after its answer was lost) is
     * refused by XADD, whose error is ignored: so it is skipped.
     */
    static final String APPEND = """
            local h = redis.call('HMGET', KEYS[1], 'node', 'ended')
            if not h[1] then return 0 end
            if h[1] ~= ARGV[1] or h[2] == '1' then return -1 end
            for i = 5, #ARGV, 2 do
              redis.pcall('XADD', KEYS[2], '0-' .. ARGV[i], 'e', ARGV[i + 1])
            end
            if ARGV[4] == '1' then
              redis.call('HSET', KEYS[1], 'ended', '1')
              redis.call('PEXPIRE', KEYS[1], ARGV[2])
              redis.call('PEXPIRE', KEYS[2], ARGV[2])
            elseif ARGV[3] ~= '' then
              redis.call('PEXPIRE', KEYS[2], ARGV[3])
            end
            return 1
            """;

    /**
     * The shortest time between two rounds: what every turn appended meanwhile goes in one script call (a reader on
     * another node is at most this much behind; at 50 tokens a second, about three events a call).
     */
    static final Duration ROUND = Duration.ofMillis(50);

    /** How long a turn's log waits for its entry in the directory before it is no longer copied. */
    static final Duration UNNOTED = Duration.ofSeconds(2);

    private final Redis redis;
    private final String prefix;
    private final Duration longest;
    private final Duration keep;
    private final InMemoryTurnLogs local = new InMemoryTurnLogs();
    private final Map<String, Mirrored> logs = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<Mirrored> dirty = new LinkedBlockingQueue<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread writer;
    private boolean down;

    /**
     * @param redis   the connections
     * @param prefix  what every key starts with ({@code redis.prefix})
     * @param longest the longest a turn can run: a running turn's copy lives that long
     * @param keep    how long a copy is kept after its turn's terminal event (as the node keeps its own)
     */
    public RedisTurnLogs(Redis redis, String prefix, Duration longest, Duration keep) {
        this.redis = redis;
        this.prefix = prefix;
        this.longest = longest;
        this.keep = keep;
        this.writer = Thread.ofPlatform().daemon().name("chatstream-redis-turn-logs").start(this::run);
    }

    @Override
    public TurnLog create(String turnId) {
        Mirrored log = new Mirrored(turnId, local.create(turnId));
        logs.put(turnId, log);
        return log;
    }

    @Override
    public Optional<TurnLog> find(String turnId) {
        return Optional.ofNullable(logs.get(turnId));
    }

    @Override
    public void remove(String turnId) {
        logs.remove(turnId);
        local.remove(turnId);
    }

    /** Whether every event appended so far is in Redis (for tests). */
    boolean copied(String turnId) {
        Mirrored log = logs.get(turnId);
        return log == null || log.copied == log.last();
    }

    /** Stops the writer, after one last try (at most 2 s) to send what still waits: a node that drains sends its turns' ends. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            closeBy = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            writer.interrupt();
            try {
                writer.join(3_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private volatile long closeBy;
    private long lastRound = System.nanoTime();

    private void run() {
        List<Mirrored> round = new ArrayList<>();
        while (true) {
            try {
                Mirrored first = closed.get() ? dirty.poll() : dirty.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    if (closed.get()) {
                        return;
                    }
                    continue;
                }
                long wait = lastRound + ROUND.toNanos() - System.nanoTime();
                if (wait > 0 && !closed.get()) {
                    Thread.sleep(Duration.ofNanos(wait)); // gather what the other turns append meanwhile
                }
                lastRound = System.nanoTime();
                round.clear();
                round.add(first);
                dirty.drainTo(round, 1023);
                copy(round);
            } catch (InterruptedException e) {
                // close(): what waits is sent once more, without waiting for more
            }
            if (closed.get() && System.nanoTime() - closeBy > 0) {
                return;
            }
        }
    }

    /** One round trip: every turn's new events; what could not be sent goes back in line. */
    private void copy(List<Mirrored> round) throws InterruptedException {
        List<Mirrored> sent = new ArrayList<>();
        List<Long> upTo = new ArrayList<>();
        List<Response<Object>> answers = new ArrayList<>();
        for (Mirrored m : round) {
            m.queued.set(false); // from here, a new append queues it again
        }
        boolean notYet = false;
        try {
            redis.call(j -> {
                sent.clear();
                upTo.clear();
                answers.clear();
                Pipeline p = j.pipelined();
                for (Mirrored m : round) {
                    List<TurnLog.Entry> entries = m.pending();
                    if (m.fenced || entries.isEmpty()) {
                        continue;
                    }
                    List<String> args = new ArrayList<>(4 + 2 * entries.size());
                    args.add(redis.node());
                    args.add(Long.toString(keep.toMillis()));
                    args.add(m.copied == 0 ? Long.toString(longest.toMillis()) : "");
                    boolean ends = entries.getLast().event().terminal();
                    args.add(ends ? "1" : "0");
                    for (TurnLog.Entry e : entries) {
                        args.add(Long.toString(e.seq()));
                        args.add(EventJson.write(e.event()));
                    }
                    answers.add(p.eval(APPEND, List.of(prefix + ":turn:" + m.turnId, prefix + ":log:" + m.turnId),
                            args));
                    sent.add(m);
                    upTo.add(entries.getLast().seq());
                }
                p.sync();
                return null;
            });
            if (down) {
                down = false;
                LOG.log(Level.INFO, "Redis at " + redis.url() + " answers again: turns are copied there again");
            }
        } catch (JedisException e) {
            if (!down) {
                down = true;
                LOG.log(Level.WARNING, "Redis at " + redis.url() + " cannot be reached: turns are not copied there "
                        + "until it answers (they stream on here; resuming through another node waits)", e);
            }
            round.forEach(this::requeue);
            Thread.sleep(1_000);
            return;
        }
        for (int i = 0; i < sent.size(); i++) {
            Mirrored m = sent.get(i);
            long answer = answers.get(i).get() instanceof Number n ? n.longValue() : -1;
            if (answer == 1) {
                m.unnotedSince = 0;
                m.copied = upTo.get(i);
                if (m.copied < m.last()) {
                    requeue(m);
                }
            } else if (answer == 0 && m.unnoted()) {
                m.fenced = true;
                LOG.log(Level.INFO, "Turn " + m.turnId + " is not in Redis's directory (Redis was down when it "
                        + "started, or restarted empty): it is not copied there, and only this node can resume it");
            } else if (answer == 0) {
                notYet = true; // the directory's entry is written right after the turn starts: soon
                requeue(m);
            } else {
                m.fenced = true;
                LOG.log(Level.WARNING, "Turn " + m.turnId + " is no longer this node's in Redis (another node ended "
                        + "it, thinking this one gone); its later events are not copied");
            }
        }
        if (notYet) {
            Thread.sleep(5);
        }
    }

    private void requeue(Mirrored m) {
        if (!m.fenced && m.copied < m.last() && m.queued.compareAndSet(false, true)) {
            dirty.add(m);
        }
    }

    /** A turn's log here, copied to Redis after each append. */
    private final class Mirrored implements TurnLog {
        private final String turnId;
        private final TurnLog log;
        private final AtomicBoolean queued = new AtomicBoolean();
        /** The last {@code seq} Redis has (only the writer changes it). */
        private volatile long copied;
        private volatile boolean fenced;
        /** When the writer first found no entry in the directory for it (0: it found one, or has not looked). */
        private long unnotedSince;

        Mirrored(String turnId, TurnLog log) {
            this.turnId = turnId;
            this.log = log;
        }

        /** Whether the directory has had no entry for it for {@link #UNNOTED} (only the writer calls it). */
        boolean unnoted() {
            long now = System.nanoTime();
            if (unnotedSince == 0) {
                unnotedSince = now;
            }
            return now - unnotedSince > UNNOTED.toNanos();
        }

        /** The events Redis lacks, at most 512. */
        List<TurnLog.Entry> pending() {
            try {
                List<TurnLog.Entry> all = log.read(copied, Duration.ZERO).entries();
                return all.size() > 512 ? all.subList(0, 512) : all;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return List.of();
            }
        }

        @Override
        public long append(ChatEvent event) {
            long seq = log.append(event);
            if (!fenced && queued.compareAndSet(false, true)) {
                dirty.add(this);
            }
            return seq;
        }

        @Override
        public Batch read(long after, Duration wait) throws InterruptedException {
            return log.read(after, wait);
        }

        @Override
        public long last() {
            return log.last();
        }

        @Override
        public boolean ended() {
            return log.ended();
        }

        @Override
        public long bytes() {
            return log.bytes();
        }
    }
}
