package dev.chatstream.store;

/** What differs between the two databases: where the migrations are and how memories are searched. */
enum Dialect {
    SQLITE("db/sqlite",
            "SELECT m.id, m.text, m.created_at FROM memories_fts f"
                    + " JOIN memories m ON m.id = f.rowid JOIN users u ON u.id = m.user_id"
                    + " WHERE memories_fts MATCH ? AND u.name = ?"
                    + " ORDER BY bm25(memories_fts), m.id DESC LIMIT ?"),
    POSTGRESQL("db/postgresql",
            "WITH q AS (SELECT to_tsquery('portuguese'::regconfig, ?) || to_tsquery('english'::regconfig, ?) AS q)"
                    + " SELECT m.id, m.text, m.created_at FROM memories m JOIN users u ON u.id = m.user_id, q"
                    + " WHERE u.name = ? AND m.tsv @@ q.q"
                    + " ORDER BY ts_rank(m.tsv, q.q) DESC, m.id DESC LIMIT ?");

    private final String migrations;
    private final String searchSql;

    Dialect(String migrations, String searchSql) {
        this.migrations = migrations;
        this.searchSql = searchSql;
    }

    static Dialect of(StoreConfig config) {
        return config.sqlite() ? SQLITE : POSTGRESQL;
    }

    String migrations() {
        return "classpath:" + migrations;
    }

    String searchSql() {
        return searchSql;
    }
}
