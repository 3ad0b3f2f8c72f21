package dev.chatstream.store;

import dev.chatstream.core.Memory;
import dev.chatstream.core.MemoryRecall;
import dev.chatstream.core.MemoryStore;
import dev.chatstream.core.UserId;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Memories in the {@code memories} table. Relevance is full-text search over the memory's text with accents
 * and case folded: SQLite FTS5 ranked by BM25, PostgreSQL {@code tsvector} (Portuguese and English
 * stemming) ranked by {@code ts_rank}; a memory matches when it shares any search word with the message.
 */
final class JdbcMemoryStore implements MemoryStore {
    private final Db db;

    JdbcMemoryStore(Db db) {
        this.db = db;
    }

    @Override
    public List<Memory> relevant(UserId user, String message, int limit) {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(message, "message");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        List<String> terms = SearchTerms.of(message);
        if (terms.isEmpty()) {
            return List.of();
        }
        return db.read("search the memories", c -> {
            try (PreparedStatement s = c.prepareStatement(db.dialect().searchSql())) {
                s.setString(1, db.dialect().searchQuery(terms));
                s.setString(2, user.value());
                s.setInt(3, limit);
                return memories(s);
            }
        });
    }

    @Override
    public Memory add(UserId user, String text) {
        Objects.requireNonNull(user, "user");
        String checked = Memory.checkedText(text);
        return db.write("store the memory", c -> {
            long userId = db.ensureUser(c, user);
            long now = db.now();
            try (PreparedStatement s = c.prepareStatement("INSERT INTO memories (user_id, text, search_text, created_at)"
                    + " VALUES (?, ?, ?, ?) RETURNING id")) {
                s.setLong(1, userId);
                s.setString(2, checked);
                s.setString(3, MemoryRecall.normalise(checked));
                s.setLong(4, now);
                return new Memory(Db.insertReturningId(s), checked, Db.instant(now));
            }
        });
    }

    @Override
    public List<Memory> list(UserId user) {
        Objects.requireNonNull(user, "user");
        return db.read("read the memories", c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT m.id, m.text, m.created_at FROM memories m"
                    + " JOIN users u ON u.id = m.user_id WHERE u.name = ? ORDER BY m.id")) {
                s.setString(1, user.value());
                return memories(s);
            }
        });
    }

    @Override
    public boolean delete(UserId user, long memoryId) {
        Objects.requireNonNull(user, "user");
        return db.write("delete the memory", c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM memories WHERE id = ?"
                    + " AND user_id = (SELECT id FROM users WHERE name = ?)")) {
                s.setLong(1, memoryId);
                s.setString(2, user.value());
                return s.executeUpdate() == 1;
            }
        });
    }

    private static List<Memory> memories(PreparedStatement s) throws SQLException {
        List<Memory> memories = new ArrayList<>();
        try (ResultSet r = s.executeQuery()) {
            while (r.next()) {
                memories.add(new Memory(r.getLong(1), r.getString(2), Db.instant(r.getLong(3))));
            }
        }
        return memories;
    }

    @Override
    public String toString() {
        return "JdbcMemoryStore[" + db.dialect() + "]";
    }

}
