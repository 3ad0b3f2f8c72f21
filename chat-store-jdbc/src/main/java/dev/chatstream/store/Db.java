package dev.chatstream.store;

import dev.chatstream.core.ChatException;
import dev.chatstream.core.ErrorCode;
import dev.chatstream.core.TransientException;
import dev.chatstream.core.UserId;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.OptionalLong;
import javax.sql.DataSource;

/**
 * Runs units of work on pooled connections. Reads run in auto-commit; writes in one transaction that is
 * rolled back when anything fails, so a failed write changes nothing. Every {@link SQLException} becomes a
 * {@link TransientException} with {@link ErrorCode#STORE_UNAVAILABLE} and a message that says what could
 * not be done (the SQL detail goes only to the log); {@link ChatException}s pass through.
 */
final class Db {
    private static final System.Logger LOG = System.getLogger(Db.class.getName());

    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private final DataSource dataSource;
    private final Dialect dialect;
    private final Clock clock;
    private final Runnable dropIdleConnections;

    /**
     * @param dropIdleConnections makes the pool replace its idle connections; called when one turned out
     *                            dead, because the others died with it (a database restart)
     */
    Db(DataSource dataSource, Dialect dialect, Clock clock, Runnable dropIdleConnections) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.clock = clock;
        this.dropIdleConnections = dropIdleConnections;
    }

    Dialect dialect() {
        return dialect;
    }

    long now() {
        return clock.millis();
    }

    /**
     * @param what what the work does, for the error message: "read the memories"
     */
    <T> T read(String what, Work<T> work) {
        try {
            return once(false, work);
        } catch (SQLException e) {
            if (!connectionLost(e)) {
                throw unavailable(what, e);
            }
            dropIdleConnections.run();
            try {
                return once(false, work); // a pooled connection that died with a database restart
            } catch (SQLException again) {
                throw unavailable(what, again);
            }
        }
    }

    <T> T write(String what, Work<T> work) {
        try {
            return once(true, work);
        } catch (CommitFailed e) {
            throw unavailable(what, e.cause); // it may have committed: never run it twice
        } catch (SQLException e) {
            if (!connectionLost(e)) {
                throw unavailable(what, e);
            }
            dropIdleConnections.run();
            try {
                return once(true, work); // nothing was committed, so running it again is safe
            } catch (CommitFailed again) {
                throw unavailable(what, again.cause);
            } catch (SQLException again) {
                throw unavailable(what, again);
            }
        }
    }

    /** A commit that failed: whether it took effect is unknown. */
    private static final class CommitFailed extends SQLException {
        final SQLException cause;

        CommitFailed(SQLException cause) {
            super(cause.getMessage(), cause.getSQLState(), cause);
            this.cause = cause;
        }
    }

    private <T> T once(boolean transaction, Work<T> work) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            if (!transaction) {
                return work.run(c);
            }
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                try {
                    c.commit();
                } catch (SQLException e) {
                    throw new CommitFailed(e);
                }
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                rollback(c, e);
                throw e;
            } finally {
                restoreAutoCommit(c);
            }
        }
    }

    /** SQLState class 08 (connection exception) or 57P (the server shut down or restarted). */
    private static boolean connectionLost(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("08") || state.startsWith("57P"));
    }

    private static void restoreAutoCommit(Connection c) {
        try {
            c.setAutoCommit(true);
        } catch (SQLException ignored) {
            // a broken connection; the pool discards it
        }
    }

    private static void rollback(Connection c, Throwable cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    private static ChatException unavailable(String what, SQLException e) {
        LOG.log(Level.WARNING, "The store could not " + what + " (SQLState " + e.getSQLState() + ")", e);
        return new TransientException(ErrorCode.STORE_UNAVAILABLE,
                "The store could not " + what + "; try again in a moment", e);
    }

    /** The row id of {@code user}, when the user has one. */
    static OptionalLong userId(Connection c, UserId user) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT id FROM users WHERE name = ?")) {
            s.setString(1, user.value());
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? OptionalLong.of(r.getLong(1)) : OptionalLong.empty();
            }
        }
    }

    /** The row id of {@code user}, adding the user first when they have none (a write). */
    long ensureUser(Connection c, UserId user) throws SQLException {
        OptionalLong id = userId(c, user);
        if (id.isPresent()) {
            return id.getAsLong();
        }
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO users (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING")) {
            s.setString(1, user.value());
            s.setLong(2, now());
            s.executeUpdate();
        }
        return userId(c, user).orElseThrow(() -> new SQLException("user " + user + " vanished while being added"));
    }

    /** Runs an INSERT ... RETURNING id and gives the id. */
    static long insertReturningId(PreparedStatement s) throws SQLException {
        try (ResultSet r = s.executeQuery()) {
            if (!r.next()) {
                throw new SQLException("INSERT ... RETURNING id returned no row");
            }
            return r.getLong(1);
        }
    }

    static Instant instant(long millis) {
        return Instant.ofEpochMilli(millis);
    }
}
