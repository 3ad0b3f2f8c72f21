-- Issue 26: a reply the model cut short (Ollama's done_reason "length": num_predict or the context ran out)
-- is stored as 'truncated', never as 'complete'. SQLite cannot change a CHECK constraint, so the table is rebuilt
-- with the same rows and ids.
CREATE TABLE messages_v2 (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    role            TEXT    NOT NULL CHECK (role IN ('user', 'assistant')),
    content         TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('complete', 'cancelled', 'failed', 'truncated')),
    created_at      INTEGER NOT NULL
);
INSERT INTO messages_v2 (id, conversation_id, role, content, status, created_at)
    SELECT id, conversation_id, role, content, status, created_at FROM messages;
DROP TABLE messages;
ALTER TABLE messages_v2 RENAME TO messages;
CREATE INDEX messages_conversation ON messages (conversation_id, id);
