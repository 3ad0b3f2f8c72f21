package dev.chatstream.core;

/**
 * The port that says which node runs a turn, so that a stop sent through any node reaches the one that runs it. On one
 * node ({@link #local}) every turn is this node's and there is nothing to note; several nodes share a directory (the
 * Redis adapter) and pass a stop on to the turn's node. Thread-safe.
 */
public interface TurnDirectory {

    /** What a node does when another asks it to stop one of its turns. Must be quick and never throw. */
    interface StopListener {
        void stop(UserId user, String turnId);
    }

    /** This node runs {@code user}'s turn {@code turnId} now. Never throws: a directory that is down only forgets. */
    void running(UserId user, String turnId);

    /** The turn ended on this node. Never throws. */
    void ended(String turnId);

    /**
     * Asks the node that runs {@code user}'s turn {@code turnId} (not this one) to stop it.
     *
     * @return whether another node runs it for this user (and was asked)
     * @throws ChatException {@link ErrorCode#SHARED_STATE_UNAVAILABLE} when a shared directory cannot be reached
     */
    boolean stopElsewhere(UserId user, String turnId);

    /** Registers what to do when another node asks this one to stop a turn. */
    void onStop(StopListener listener);

    /** Whether other nodes share this directory (false on one node: nothing to note). */
    default boolean shared() {
        return true;
    }

    /** One node: no other node runs anything. */
    static TurnDirectory local() {
        return new TurnDirectory() {
            @Override
            public void running(UserId user, String turnId) {
            }

            @Override
            public void ended(String turnId) {
            }

            @Override
            public boolean stopElsewhere(UserId user, String turnId) {
                return false;
            }

            @Override
            public void onStop(StopListener listener) {
            }

            @Override
            public boolean shared() {
                return false;
            }
        };
    }
}
