package dev.chatstream.store;

import java.util.List;

/**
 * What differs between the two databases: where the migrations are and how memories are searched. Both
 * search statements take the same parameters: the query text ({@link #searchQuery}), the user, the limit.
 */
enum Dialect {
    SQLITE("db/sqlite",
            "SELECT m.id, m.text, m.created_at FROM memories_fts f"
                    + " JOIN memories m ON m.id = f.rowid JOIN users u ON u.id = m.user_id"
                    + " WHERE memories_fts MATCH ? AND u.name = ?"
                    + " ORDER BY bm25(memories_fts), m.id DESC LIMIT ?"),
    POSTGRESQL("db/postgresql",
            "WITH t AS (SELECT CAST(? AS text) AS t), q AS (SELECT to_tsquery('portuguese'::regconfig, t.t)"
                    + " || to_tsquery('english'::regconfig, t.t) AS q FROM t)"
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

    /** The search statement's query text for these terms. */
    String searchQuery(List<String> terms) {
        return this == SQLITE ? SearchTerms.fts5(terms) : SearchTerms.tsquery(terms);
    }
}
