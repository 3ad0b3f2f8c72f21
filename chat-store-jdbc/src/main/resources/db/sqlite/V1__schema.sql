-- chatstream's schema, SQLite dialect. db/postgresql/V1__schema.sql is the same schema for PostgreSQL:
-- change both together. Times are milliseconds since the epoch (UTC).

CREATE TABLE users (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

-- Tokens are never stored, only their SHA-256 (hex).
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash   TEXT    NOT NULL UNIQUE,
    label        TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- search_text is the text lower-cased, accents removed (what the search indexes).
CREATE TABLE memories (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    text        TEXT    NOT NULL,
    search_text TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX memories_user ON memories (user_id, id);

CREATE VIRTUAL TABLE memories_fts USING fts5(
    search_text, content = 'memories', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2');
CREATE TRIGGER memories_fts_insert AFTER INSERT ON memories BEGIN
    INSERT INTO memories_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER memories_fts_delete AFTER DELETE ON memories BEGIN
    INSERT INTO memories_fts (memories_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;

CREATE TABLE conversations (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title           TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    last_message_id INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX conversations_user ON conversations (user_id, last_message_id);

CREATE TABLE messages (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    role            TEXT    NOT NULL CHECK (role IN ('user', 'assistant')),
    content         TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('complete', 'cancelled', 'failed')),
    created_at      INTEGER NOT NULL
);
CREATE INDEX messages_conversation ON messages (conversation_id, id);

CREATE TABLE devices (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    entity_id TEXT    NOT NULL,
    name      TEXT    NOT NULL,
    area      TEXT    NOT NULL,
    UNIQUE (user_id, position)
);

CREATE TABLE device_aliases (
    device_id INTEGER NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    alias     TEXT    NOT NULL,
    PRIMARY KEY (device_id, position)
);
