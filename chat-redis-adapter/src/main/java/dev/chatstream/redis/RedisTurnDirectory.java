package dev.chatstream.redis;

import dev.chatstream.core.ChatEvent;
import dev.chatstream.core.ErrorCode;
import dev.chatstream.core.TransientException;
import dev.chatstream.core.TurnDirectory;
import dev.chatstream.core.TurnLog;
import dev.chatstream.core.UserId;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.params.XReadParams;
import redis.clients.jedis.resps.StreamEntry;

/**
 * {@link TurnDirectory} in Redis. Each running turn is a hash ({@code <prefix>:turn:<id>}: its node, user,
 * conversation, message, how it is stored, and {@code ended} once its terminal event is in its log's copy,
 * {@link RedisTurnLogs}), in its node's set ({@code <prefix>:node:<node>:turns}). Every node holds a lease in
 * {@code <prefix>:nodes} (a sorted set scored by expiry on Redis's clock), renewed every {@link #RENEW}; in the same
 * round trip it ends the turns of every node whose lease lapsed: one script appends the {@link ErrorCode#NODE_LOST}
 * failure to each such turn's log and marks it ended, so exactly one node learns of it ({@link LostListener}) and
 * every reader, on any node, reads that failure as the turn's last event. A stop sent through another node is
 * published on {@code <prefix>:stop} for the owner, which stops the turn as its own Stop would. A client reading a turn
 * through another node ({@link #follow}) notes it in {@code <prefix>:reader:<id>}, so a resumable turn with nobody
 * attached on its own node keeps running. Thread-safe; {@link #close} stops the lease and the subscriber.
 */
public final class RedisTurnDirectory implements TurnDirectory, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RedisTurnDirectory.class.getName());

    /** How long a node's lease lasts: a node silent that long is taken for dead and its turns end. */
    static final Duration LEASE = Duration.ofSeconds(10);
    /** How often a node renews its lease and looks for dead nodes' turns. */
    static final Duration RENEW = Duration.ofSeconds(2);
    /** How long a note that a client reads a turn through another node lasts (renewed while it reads). */
    static final Duration READER = Duration.ofSeconds(15);
    /** The longest one read of another node's log waits in Redis. */
    static final Duration READ_WAIT = Duration.ofMillis(250);
    /** How long a reader of another node's turn rides out an unreachable Redis before it lets its client go. */
    static final Duration READ_OUTAGE = Duration.ofSeconds(10);

    static final String LOST_MESSAGE = "The server answering this reply stopped before it ended; send it again";

    /**
     * KEYS: turn, node's turns, nodes, the conversation's running turn. ARGV: node, turn, user, conv, message,
     * replace, resumable, stored, started, ttl ms, lease ms.
     */
    private static final String NOTE = """
            redis.call('HSET', KEYS[1], 'node', ARGV[1], 'user', ARGV[3], 'conv', ARGV[4], 'message', ARGV[5],
              'replace', ARGV[6], 'resumable', ARGV[7], 'stored', ARGV[8], 'started', ARGV[9])
            redis.call('PEXPIRE', KEYS[1], ARGV[10])
            if ARGV[4] ~= '' then redis.call('SET', KEYS[4], ARGV[2], 'PX', ARGV[10]) end
            redis.call('SADD', KEYS[2], ARGV[2])
            redis.call('PEXPIRE', KEYS[2], ARGV[10])
            local t = redis.call('TIME')
            redis.call('ZADD', KEYS[3], tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[11]), ARGV[1])
            return 1
            """;

    /** KEYS: node's turns, turn. ARGV: turn, prefix. The turn ended here: out of its node's set and its conversation's. */
    private static final String ENDED = """
            redis.call('SREM', KEYS[1], ARGV[1])
            local h = redis.call('HMGET', KEYS[2], 'user', 'conv')
            if h[1] and h[2] and h[2] ~= '' then
              local k = ARGV[2] .. ':conv:' .. h[1] .. ':' .. h[2]
              if redis.call('GET', k) == ARGV[1] then redis.call('DEL', k) end
            end
            return 1
            """;

    /** Ends one turn of a dead node (shared by the two scripts below): the failure after its last event. */
    private static final String END = """
            local function endTurn(turn, log, event, keep)
              local top = 0
              local last = redis.call('XREVRANGE', log, '+', '-', 'COUNT', 1)
              if #last > 0 then top = tonumber(string.match(last[1][1], '-(%d+)$')) end
              redis.call('XADD', log, '0-' .. (top + 1), 'e', event)
              redis.call('HSET', turn, 'ended', '1')
              redis.call('PEXPIRE', turn, keep)
              redis.call('PEXPIRE', log, keep)
            end
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            """;

    /** KEYS: nodes. ARGV: node, lease ms, prefix, failure, keep ms. Renews this node's lease; ends dead nodes' turns. */
    private static final String RENEW_AND_SWEEP = END + """
            redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
            local ended = {}
            for _, node in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)) do
              local set = ARGV[3] .. ':node:' .. node .. ':turns'
              for _, id in ipairs(redis.call('SMEMBERS', set)) do
                local turn = ARGV[3] .. ':turn:' .. id
                local h = redis.call('HMGET', turn, 'node', 'ended')
                if h[1] == node and h[2] ~= '1' then
                  endTurn(turn, ARGV[3] .. ':log:' .. id, ARGV[4], ARGV[5])
                  table.insert(ended, id)
                end
              end
              redis.call('DEL', set)
              redis.call('ZREM', KEYS[1], node)
            end
            return ended
            """;

    /** KEYS: turn, log, nodes. ARGV: failure, keep ms. Ends one turn when its node's lease lapsed: 1, else 0. */
    private static final String END_IF_LOST = END + """
            local h = redis.call('HMGET', KEYS[1], 'node', 'ended')
            if not h[1] or h[2] == '1' then return 0 end
            local lease = redis.call('ZSCORE', KEYS[3], h[1])
            if lease and tonumber(lease) > now then return 0 end
            endTurn(KEYS[1], KEYS[2], ARGV[1], ARGV[2])
            return 1
            """;

    /**
     * KEYS: log. ARGV: new seq, failure, keep ms. Moves a node_lost end (the log's last entry) to {@code seq}, when it
     * is below it: a client got events the copy never had, and its end comes after them.
     */
    private static final String MOVE_LOST = """
            local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
            if #last == 0 then return 0 end
            local top = tonumber(string.match(last[1][1], '-(%d+)$'))
            if top >= tonumber(ARGV[1]) then return top end
            redis.call('XDEL', KEYS[1], last[1][1])
            redis.call('XADD', KEYS[1], '0-' .. ARGV[1], 'e', ARGV[2])
            redis.call('PEXPIRE', KEYS[1], ARGV[3])
            return tonumber(ARGV[1])
            """;

    private final Redis redis;
    private final String prefix;
    private final Duration longest;
    private final Duration keep;
    private final Duration leaseTime;
    private final List<StopListener> listeners = new CopyOnWriteArrayList<>();
    private final List<LostListener> lostListeners = new CopyOnWriteArrayList<>();
    private final RedisSubscriber subscriber;
    private final java.util.concurrent.ScheduledExecutorService lease;
    private final String lostEvent = EventJson.write(new ChatEvent.Failed(ErrorCode.NODE_LOST, LOST_MESSAGE));

    /**
     * @param redis   the connections
     * @param prefix  what every key starts with ({@code redis.prefix})
     * @param longest the longest a turn can run and be kept ({@code limits.stream.seconds} plus the resume grace):
     *                an entry that a dying node never removed is gone after it
     * @param keep    how long an ended turn's entry and log are kept (as each node keeps its own)
     */
    public RedisTurnDirectory(Redis redis, String prefix, Duration longest, Duration keep) {
        this(redis, prefix, longest, keep, LEASE, RENEW);
    }

    /** ... with another lease and renewal (tests). */
    RedisTurnDirectory(Redis redis, String prefix, Duration longest, Duration keep, Duration leaseTime,
            Duration renewEvery) {
        this.leaseTime = leaseTime;
        this.redis = redis;
        this.prefix = prefix;
        this.longest = longest;
        this.keep = keep;
        this.subscriber = new RedisSubscriber(redis, prefix + ":stop", this::heard);
        this.lease = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("chatstream-redis-lease").factory());
        lease.scheduleWithFixedDelay(this::renew, 0, renewEvery.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    @Override
    public void running(Running turn) {
        try {
            redis.call(j -> j.eval(NOTE, List.of(turnKey(turn.turnId()), nodeTurnsKey(redis.node()), nodesKey(),
                    conversationKey(turn.user(), turn.conversationId().orElse(-1))),
                    List.of(redis.node(), turn.turnId(), turn.user().value(), optional(turn.conversationId()),
                            turn.message(), optional(turn.replaceFrom()), turn.resumable() ? "1" : "0",
                            turn.stored() ? "1" : "0", Long.toString(turn.startedAt().toEpochMilli()),
                            Long.toString(longest.toMillis()), Long.toString(leaseTime.toMillis()))));
        } catch (JedisException e) {
            LOG.log(Level.DEBUG, "Turn " + turn.turnId() + " could not be noted in Redis; only this node has it", e);
        }
    }

    @Override
    public void ended(String turnId) {
        try {
            redis.call(j -> j.eval(ENDED, List.of(nodeTurnsKey(redis.node()), turnKey(turnId)), List.of(turnId,
                    prefix)));
        } catch (JedisException e) {
            LOG.log(Level.DEBUG, "Turn " + turnId + " could not be removed from Redis; it expires by itself", e);
        }
    }

    @Override
    public boolean stopElsewhere(UserId user, String turnId) {
        try {
            List<String> owner = redis.call(j -> j.hmget(turnKey(turnId), "node", "user", "ended"));
            if (owner.get(0) == null || owner.get(0).equals(redis.node()) || !user.value().equals(owner.get(1))
                    || "1".equals(owner.get(2))) {
                return false;
            }
            redis.call(j -> j.publish(prefix + ":stop", owner.get(0) + " " + turnId + " " + user.value()));
            return true;
        } catch (JedisException e) {
            throw unavailable(e);
        }
    }

    @Override
    public Optional<Followed> follow(UserId user, String turnId) {
        try {
            Map<String, String> h = redis.call(j -> j.hgetAll(turnKey(turnId)));
            if (h.isEmpty() || !user.value().equals(h.get("user")) || h.get("node") == null) {
                return Optional.empty();
            }
            Running running = running(turnId, h);
            Remote log = new Remote(turnId, h.get("node"));
            log.start();
            return Optional.of(new Followed(running, log));
        } catch (JedisException e) {
            throw unavailable(e);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Turn " + turnId + " in Redis could not be read", e);
            return Optional.empty();
        }
    }

    @Override
    public Optional<Running> runningIn(UserId user, long conversationId) {
        try {
            String turnId = redis.call(j -> j.get(conversationKey(user, conversationId)));
            if (turnId == null) {
                return Optional.empty();
            }
            Map<String, String> h = redis.call(j -> j.hgetAll(turnKey(turnId)));
            if (h.isEmpty() || !user.value().equals(h.get("user")) || "1".equals(h.get("ended"))
                    || redis.node().equals(h.get("node"))) {
                return Optional.empty();
            }
            return Optional.of(running(turnId, h));
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "The running turn of a conversation could not be read from Redis", e);
            return Optional.empty();
        }
    }

    @Override
    public boolean readElsewhere(String turnId) {
        try {
            return redis.call(j -> j.exists(prefix + ":reader:" + turnId));
        } catch (JedisException e) {
            return false;
        }
    }

    @Override
    public void onStop(StopListener listener) {
        listeners.add(listener);
    }

    @Override
    public void onLost(LostListener listener) {
        lostListeners.add(listener);
    }

    /** Whether the stop subscriber is connected now (for tests). */
    boolean subscribed() {
        return subscriber.subscribed();
    }

    @Override
    public void close() {
        lease.shutdownNow();
        subscriber.close();
    }

    private TransientException unavailable(JedisException e) {
        return new TransientException(ErrorCode.SHARED_STATE_UNAVAILABLE, "Redis at " + redis.url() + ", which says "
                + "which server runs each reply, cannot be reached; try again in a moment, or use the connection "
                + "that streams the reply", e);
    }

    private String turnKey(String turnId) {
        return prefix + ":turn:" + turnId;
    }

    private String logKey(String turnId) {
        return prefix + ":log:" + turnId;
    }

    private String nodeTurnsKey(String node) {
        return prefix + ":node:" + node + ":turns";
    }

    private String conversationKey(UserId user, long conversationId) {
        return prefix + ":conv:" + user.value() + ":" + conversationId;
    }

    private String nodesKey() {
        return prefix + ":nodes";
    }

    private static String optional(OptionalLong value) {
        return value.isPresent() ? Long.toString(value.getAsLong()) : "";
    }

    private static OptionalLong optional(String value) {
        return value == null || value.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(value));
    }

    private static Running running(String turnId, Map<String, String> h) {
        return new Running(turnId, UserId.of(h.get("user")), optional(h.get("conv")), h.getOrDefault("message", ""),
                optional(h.get("replace")), "1".equals(h.get("resumable")), "1".equals(h.get("stored")),
                Instant.ofEpochMilli(Long.parseLong(h.getOrDefault("started", "0"))));
    }

    /** {@code <node> <turn> <user>}: a stop for one of this node's turns. */
    private void heard(String message) {
        String[] parts = message.split(" ", 3);
        if (parts.length != 3 || !parts[0].equals(redis.node())) {
            return;
        }
        UserId user = UserId.of(parts[2]);
        listeners.forEach(l -> l.stop(user, parts[1]));
    }

    private boolean leaseLost;

    /** On the lease thread: renews this node's lease and ends the turns of nodes whose lease lapsed. */
    private void renew() {
        try {
            Object ended = redis.call(j -> j.eval(RENEW_AND_SWEEP, List.of(nodesKey()), List.of(redis.node(),
                    Long.toString(leaseTime.toMillis()), prefix, lostEvent, Long.toString(keep.toMillis()))));
            if (leaseLost) {
                leaseLost = false;
                LOG.log(Level.INFO, "Redis at " + redis.url() + " answers again: this node's lease is renewed");
            }
            if (ended instanceof List<?> ids) {
                for (Object id : ids) {
                    lost(id.toString());
                }
            }
        } catch (JedisException e) {
            if (!leaseLost) {
                leaseLost = true;
                LOG.log(Level.WARNING, "Redis at " + redis.url() + " cannot be reached: this node's lease is not "
                        + "renewed (other nodes cannot resume its turns until it answers)", e);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "Renewing this node's lease failed", e);
        }
    }

    /** This node ended {@code turnId} of a dead node: its listeners store it from what its log held. */
    private void lost(String turnId) {
        try {
            Map<String, String> h = redis.call(j -> j.hgetAll(turnKey(turnId)));
            List<StreamEntry> entries = redis.call(j -> j.xrange(logKey(turnId), "-", "+"));
            List<ChatEvent> events = new ArrayList<>(entries.size());
            for (StreamEntry e : entries) {
                events.add(EventJson.read(e.getFields().get("e")));
            }
            Running running = running(turnId, h);
            LOG.log(Level.WARNING, "Turn " + turnId + " of user " + running.user() + " ended with node_lost: the node "
                    + h.get("node") + " that ran it stopped renewing its lease");
            for (LostListener l : lostListeners) {
                l.lost(running, events);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Turn " + turnId + " of a node that stopped could not be read back from Redis", e);
        }
    }

    /**
     * Another node's turn log, read from its copy in Redis: a read waits at most {@link #READ_WAIT} there. While it
     * waits with nothing new, it checks (about once a second) whether the turn's node is still alive, and ends the turn
     * with {@code node_lost} if not. While Redis cannot be reached it keeps trying for {@link #READ_OUTAGE}, then
     * counts as ended where its reader is (its client is let go without a terminal event, and resumes elsewhere).
     */
    private final class Remote implements TurnLog {
        private final String turnId;
        private final String node;
        private volatile long last;
        private volatile boolean ended;
        /** A node_lost end not read yet by this reader (see {@link #start}). */
        private volatile Entry lost;
        private long checkedNanos = System.nanoTime();
        private long notedNanos;
        private long failingSince;

        Remote(String turnId, String node) {
            this.turnId = turnId;
            this.node = node;
        }

        /** Where the copy ends now. */
        void start() {
            List<StreamEntry> top = redis.call(j -> j.xrevrange(logKey(turnId), "+", "-", 1));
            if (!top.isEmpty()) {
                last = top.getFirst().getID().getSequence();
                ChatEvent event = EventJson.read(top.getFirst().getFields().get("e"));
                ended = event.terminal();
                if (event instanceof ChatEvent.Failed f && f.code() == ErrorCode.NODE_LOST) {
                    lost = new Entry(last, event);
                }
            }
        }

        @Override
        public long append(ChatEvent event) {
            throw new IllegalStateException("turn " + turnId + " runs on node " + node + "; only it writes its log");
        }

        @Override
        public Batch read(long after, Duration wait) throws InterruptedException {
            Entry failure = lost;
            if (failure != null && after > failure.seq()) {
                // the client got more than the copy has (its node died before copying them): the failure moves after
                // what it got, for it and anyone later, and is read below
                lost = null;
                try {
                    redis.call(j -> j.eval(MOVE_LOST, List.of(logKey(turnId)), List.of(Long.toString(after + 1),
                            lostEvent, Long.toString(keep.toMillis()))));
                    last = after + 1;
                    ended = false; // read it
                } catch (JedisException e) {
                    lost = failure;
                }
            }
            if (ended && after >= last) {
                return new Batch(List.of(), true);
            }
            try {
                noteReader();
                int block = (int) Math.max(1, Math.min(wait.toMillis(), READ_WAIT.toMillis()));
                List<Map.Entry<String, List<StreamEntry>>> found = redis.call(j -> j.xread(
                        XReadParams.xReadParams().count(512).block(block),
                        Map.of(logKey(turnId), new StreamEntryID(0, after))));
                failingSince = 0;
                List<Entry> entries = new ArrayList<>();
                if (found != null) {
                    for (Map.Entry<String, List<StreamEntry>> stream : found) {
                        for (StreamEntry e : stream.getValue()) {
                            ChatEvent event = EventJson.read(e.getFields().get("e"));
                            entries.add(new Entry(e.getID().getSequence(), event));
                        }
                    }
                }
                if (!entries.isEmpty() && entries.getLast().event().terminal()) {
                    lost = null;
                    last = entries.getLast().seq();
                    ended = true;
                } else if (!entries.isEmpty()) {
                    last = Math.max(last, entries.getLast().seq());
                } else if (!ended) {
                    checkOwner();
                }
                return new Batch(entries, ended);
            } catch (JedisException e) {
                long now = System.nanoTime();
                if (failingSince == 0) {
                    failingSince = now;
                } else if (now - failingSince > READ_OUTAGE.toNanos()) {
                    LOG.log(Level.WARNING, "Redis at " + redis.url() + " cannot be reached: a client reading turn "
                            + turnId + " of another node is let go, to resume later", e);
                    last = after;
                    ended = true;
                    return new Batch(List.of(), true);
                }
                Thread.sleep(Math.min(wait.toMillis(), READ_WAIT.toMillis()));
                return new Batch(List.of(), false);
            }
        }

        /** Renews the note that a client reads this turn here, every few seconds. */
        private void noteReader() {
            long now = System.nanoTime();
            if (notedNanos == 0 || now - notedNanos > READER.toNanos() / 3) {
                notedNanos = now;
                redis.call(j -> j.set(prefix + ":reader:" + turnId, redis.node(),
                        SetParams.setParams().px(READER.toMillis())));
            }
        }

        /** About once a second with nothing new: ends the turn with node_lost when its node's lease lapsed. */
        private void checkOwner() {
            long now = System.nanoTime();
            if (now - checkedNanos < 1_000_000_000L) {
                return;
            }
            checkedNanos = now;
            Object answer = redis.call(j -> j.eval(END_IF_LOST, List.of(turnKey(turnId), logKey(turnId), nodesKey()),
                    List.of(lostEvent, Long.toString(keep.toMillis()))));
            if (answer instanceof Number n && n.longValue() == 1) {
                Thread.ofVirtual().name("turn-lost-" + turnId).start(() -> lost(turnId)); // read next: the failure
            }
        }

        @Override
        public long last() {
            return last;
        }

        @Override
        public boolean ended() {
            return ended;
        }

        @Override
        public long bytes() {
            return 0;
        }
    }
}
