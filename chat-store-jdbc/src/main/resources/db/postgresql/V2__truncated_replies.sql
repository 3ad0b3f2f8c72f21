-- Issue 26: a reply the model cut short (Ollama's done_reason "length": num_predict or the context ran out)
-- is stored as 'truncated', never as 'complete'.
ALTER TABLE messages DROP CONSTRAINT messages_status_check;
ALTER TABLE messages ADD CONSTRAINT messages_status_check
    CHECK (status IN ('complete', 'cancelled', 'failed', 'truncated'));
