package dev.chatstream.store;

import dev.chatstream.core.Accounts;
import dev.chatstream.core.InvalidRequestException;
import dev.chatstream.core.UserId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Users and their API tokens. A token is 256 random bits, shown once when it is issued; only its SHA-256 is
 * stored, so a copy of the database gives no one a working token. Tokens can be revoked (at once: the next
 * request with it gets 401) and record when they were created and last used. Thread-safe.
 *
 * <p>{@link #authenticate} looks a token up by its hash; the lookup's timing depends only on the hash,
 * which an attacker cannot steer towards a stored one. It only reads: the last-used time is written at most once
 * a minute per token, by one background writer, so checking a token never waits for the store's write lock
 * (one user's burst of changes cannot turn everyone's requests into 503s) and a failed last-used write (it is
 * advisory) never fails a request; the next use tries again. {@link #close} stops the writer.
 */
public final class JdbcAccounts implements Accounts {
    /** Every token starts with this, so it is recognisable in a leaked config file or log. */
    public static final String TOKEN_PREFIX = "cs_";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long LAST_USED_RESOLUTION_MILLIS = Duration.ofMinutes(1).toMillis();

    private static final System.Logger LOG = System.getLogger(JdbcAccounts.class.getName());

    private final Db db;
    /** Token id to the latest use not yet written. */
    private final java.util.Map<Long, Long> unrecorded = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.ExecutorService writer = java.util.concurrent.Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("chatstream-token-last-used").daemon().factory());

    JdbcAccounts(Db db) {
        this.db = db;
    }

    /** Stops the last-used writer, giving a write under way a moment to finish. */
    void close() {
        writer.shutdown();
        try {
            writer.awaitTermination(2, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public Optional<UserId> authenticate(String token) {
        if (token == null || !token.startsWith(TOKEN_PREFIX) || token.length() > 200) {
            return Optional.empty();
        }
        String hash = sha256Hex(token);
        record Found(long id, UserId user, long lastUsed) {
        }
        Optional<Found> found = db.read("check the token", c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT t.id, u.name, t.last_used_at FROM api_tokens t"
                    + " JOIN users u ON u.id = t.user_id WHERE t.token_hash = ? AND t.revoked_at IS NULL")) {
                s.setString(1, hash);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? Optional.of(new Found(r.getLong(1), UserId.of(r.getString(2)), r.getLong(3)))
                            : Optional.empty();
                }
            }
        });
        found.ifPresent(f -> {
            long now = db.now();
            if (now - f.lastUsed() >= LAST_USED_RESOLUTION_MILLIS) {
                unrecorded.merge(f.id(), now, Math::max);
                if (writing.compareAndSet(false, true)) {
                    try {
                        writer.execute(this::recordUses);
                    } catch (java.util.concurrent.RejectedExecutionException closed) {
                        writing.set(false); // closing: the use goes unrecorded, the request goes on
                    }
                }
            }
        });
        return found.map(Found::user);
    }

    /** Writes every use not yet written, in one transaction per round; on the writer thread only. */
    private void recordUses() {
        try {
            while (!unrecorded.isEmpty()) {
                java.util.Map<Long, Long> batch = new java.util.HashMap<>();
                for (Long id : List.copyOf(unrecorded.keySet())) {
                    Long at = unrecorded.remove(id);
                    if (at != null) {
                        batch.put(id, at);
                    }
                }
                db.write("record when tokens were last used", c -> {
                    try (PreparedStatement s = c.prepareStatement(
                            "UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)")) {
                        for (java.util.Map.Entry<Long, Long> e : batch.entrySet()) {
                            s.setLong(1, e.getValue());
                            s.setLong(2, e.getKey());
                            s.setLong(3, e.getValue());
                            s.executeUpdate();
                        }
                    }
                    return null;
                });
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Could not record when tokens were last used (advisory; the next "
                    + "use of each token tries again): " + e.getMessage());
        } finally {
            writing.set(false);
        }
    }

    /** Whether any user has a live token (false on a first start). */
    @Override
    public boolean anyLiveToken() {
        return db.read("read the tokens", c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM api_tokens WHERE revoked_at IS NULL LIMIT 1");
                 ResultSet r = s.executeQuery()) {
                return r.next();
            }
        });
    }

    /**
     * Adds a user.
     *
     * @throws InvalidRequestException when the name is taken or not a valid user id
     */
    @Override
    public User addUser(String name) {
        UserId id = userId(name);
        return db.write("add the user", c -> {
            if (Db.userId(c, id).isPresent()) {
                throw new InvalidRequestException("name", "A user named \"" + id + "\" already exists");
            }
            long now = db.now();
            try (PreparedStatement s = c.prepareStatement("INSERT INTO users (name, created_at) VALUES (?, ?)")) {
                s.setString(1, id.value());
                s.setLong(2, now);
                s.executeUpdate();
            }
            return new User(id, Db.instant(now));
        });
    }

    /** The user named {@code name}, if there is one. */
    @Override
    public Optional<User> user(String name) {
        UserId id = userId(name);
        return db.read("read the user", c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT created_at FROM users WHERE name = ?")) {
                s.setString(1, id.value());
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? Optional.of(new User(id, Db.instant(r.getLong(1)))) : Optional.empty();
                }
            }
        });
    }

    /** Every user, in the order they were added. */
    @Override
    public List<User> users() {
        return db.read("read the users", c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT name, created_at FROM users ORDER BY id");
                 ResultSet r = s.executeQuery()) {
                List<User> users = new ArrayList<>();
                while (r.next()) {
                    users.add(new User(UserId.of(r.getString(1)), Db.instant(r.getLong(2))));
                }
                return users;
            }
        });
    }

    /**
     * Issues a new token for an existing user.
     *
     * @param label what the token is for, e.g. "laptop"; may be empty
     * @throws InvalidRequestException when there is no such user
     */
    @Override
    public IssuedToken issueToken(UserId user, String label) {
        Objects.requireNonNull(user, "user");
        String cleanLabel = label == null ? "" : label.strip();
        if (cleanLabel.length() > 100) {
            throw new InvalidRequestException("label", "label is too long: " + cleanLabel.length()
                    + " characters, the limit is 100");
        }
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String token = TOKEN_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        return db.write("issue the token", c -> {
            OptionalLong userId = Db.userId(c, user);
            if (userId.isEmpty()) {
                throw new InvalidRequestException("user", "There is no user named \"" + user
                        + "\"; add the user first");
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO api_tokens (user_id, token_hash, label,"
                    + " created_at) VALUES (?, ?, ?, ?) RETURNING id")) {
                s.setLong(1, userId.getAsLong());
                s.setString(2, sha256Hex(token));
                s.setString(3, cleanLabel);
                s.setLong(4, db.now());
                return new IssuedToken(Db.insertReturningId(s), token);
            }
        });
    }

    /** Every token, live and revoked, oldest first; {@code user} narrows it to one user's. */
    @Override
    public List<TokenInfo> tokens(Optional<UserId> user) {
        return db.read("read the tokens", c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT t.id, u.name, t.label, t.created_at,"
                    + " t.last_used_at, t.revoked_at FROM api_tokens t JOIN users u ON u.id = t.user_id"
                    + (user.isPresent() ? " WHERE u.name = ?" : "") + " ORDER BY t.id")) {
                if (user.isPresent()) {
                    s.setString(1, user.get().value());
                }
                List<TokenInfo> tokens = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        tokens.add(new TokenInfo(r.getLong(1), UserId.of(r.getString(2)), r.getString(3),
                                Db.instant(r.getLong(4)), optionalInstant(r, 5), optionalInstant(r, 6)));
                    }
                }
                return tokens;
            }
        });
    }

    /**
     * Revokes a token: from now on it authenticates nothing.
     *
     * @return whether a live token with that number existed
     */
    @Override
    public boolean revoke(long tokenId) {
        return db.write("revoke the token", c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")) {
                s.setLong(1, db.now());
                s.setLong(2, tokenId);
                return s.executeUpdate() == 1;
            }
        });
    }

    private static Optional<Instant> optionalInstant(ResultSet r, int column) throws SQLException {
        long millis = r.getLong(column);
        return r.wasNull() ? Optional.empty() : Optional.of(Db.instant(millis));
    }

    private static UserId userId(String name) {
        try {
            return UserId.of(name == null ? "" : name.strip());
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("name", e.getMessage());
        }
    }

    static String sha256Hex(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
