package dev.chatstream.core;

/**
 * The port that says which node runs a turn and lets the others read it: a stop sent through any node reaches the one
 * that runs it, a client that comes back through another node resumes it there from the same point (each event exactly
 * once, read from the shared copy of its log, {@link #follow}), and a turn whose node died ends for everyone with
 * {@link ErrorCode#NODE_LOST}. On one node ({@link #local}) every turn is this node's and there is nothing to note;
 * several nodes share a directory (the Redis adapter, with its {@link TurnLogs} that copies each log there). Thread-safe.
 */
public interface TurnDirectory {

    /** What a node does when another asks it to stop one of its turns. Must be quick and never throw. */
    interface StopListener {
        void stop(UserId user, String turnId);
    }

    /**
     * What a node does with a turn of a node that died, once (one node of all is told): {@code events} are what its
     * log held, ending with the {@link ErrorCode#NODE_LOST} failure that ended it; a stored turn is stored from them.
     * Must never throw.
     */
    interface LostListener {
        void lost(Running turn, java.util.List<ChatEvent> events);
    }

    /**
     * What other nodes need to know of a running turn: whose it is, what it answers, and how it is stored.
     *
     * @param conversationId the conversation it is stored in, when known at its start
     * @param replaceFrom    the message it replaces ({@link ChatRequest#replaceFrom})
     * @param stored         whether its end is stored in the conversation
     */
    record Running(String turnId, UserId user, java.util.OptionalLong conversationId, String message,
            java.util.OptionalLong replaceFrom, boolean resumable, boolean stored, java.time.Instant startedAt) {
        public Running {
            Checks.notNull(turnId, "turnId");
            Checks.notNull(user, "user");
            Checks.notNull(conversationId, "conversationId");
            Checks.notNull(message, "message");
            Checks.notNull(replaceFrom, "replaceFrom");
            Checks.notNull(startedAt, "startedAt");
        }
    }

    /**
     * Another node's turn as this one reads it.
     *
     * @param log its events as that node wrote them (read only: {@link TurnLog#append} throws); it ends with the
     *            node's terminal event, or with {@link ErrorCode#NODE_LOST} when the node died first
     */
    record Followed(Running turn, TurnLog log) {
        public Followed {
            Checks.notNull(turn, "turn");
            Checks.notNull(log, "log");
        }
    }

    /**
     * This node runs {@code turn} now (call it before its client learns the turn's id). Never throws: a directory that
     * is down only forgets.
     */
    void running(Running turn);

    /** The turn ended on this node. Never throws. */
    void ended(String turnId);

    /**
     * Asks the node that runs {@code user}'s turn {@code turnId} (not this one) to stop it.
     *
     * @return whether another node runs it for this user (and was asked)
     * @throws ChatException {@link ErrorCode#SHARED_STATE_UNAVAILABLE} when a shared directory cannot be reached
     */
    boolean stopElsewhere(UserId user, String turnId);

    /**
     * {@code user}'s turn {@code turnId} run (or recently ended) on another node, to read here.
     *
     * @return empty when no other node runs it for this user or keeps its log
     * @throws ChatException {@link ErrorCode#SHARED_STATE_UNAVAILABLE} when a shared directory cannot be reached
     */
    java.util.Optional<Followed> follow(UserId user, String turnId);

    /**
     * {@code user}'s newest turn running on another node in conversation {@code conversationId}: what a page that
     * reloads through this node attaches to. Never throws: empty when it cannot be known.
     */
    java.util.Optional<Running> runningIn(UserId user, long conversationId);

    /**
     * Whether a client reads this node's turn {@code turnId} through another node now (a resumable turn with nobody
     * attached here keeps running for it). Never throws: false when it cannot be known.
     */
    boolean readElsewhere(String turnId);

    /** Registers what to do when another node asks this one to stop a turn. */
    void onStop(StopListener listener);

    /** Registers what to do with the turns of a node that died. */
    void onLost(LostListener listener);

    /** Whether other nodes share this directory (false on one node: nothing to note). */
    default boolean shared() {
        return true;
    }

    /** One node: no other node runs anything. */
    static TurnDirectory local() {
        return new TurnDirectory() {
            @Override
            public void running(Running turn) {
            }

            @Override
            public void ended(String turnId) {
            }

            @Override
            public boolean stopElsewhere(UserId user, String turnId) {
                return false;
            }

            @Override
            public java.util.Optional<Followed> follow(UserId user, String turnId) {
                return java.util.Optional.empty();
            }

            @Override
            public java.util.Optional<Running> runningIn(UserId user, long conversationId) {
                return java.util.Optional.empty();
            }

            @Override
            public boolean readElsewhere(String turnId) {
                return false;
            }

            @Override
            public void onStop(StopListener listener) {
            }

            @Override
            public void onLost(LostListener listener) {
            }

            @Override
            public boolean shared() {
                return false;
            }
        };
    }
}
