-- Issue 27 item 2: what the user saw of a reply beside its text (its actions, their results, the error that
-- ended it), as the Server-Sent Events the client got (SseCodec), so a reopened conversation shows them again.
ALTER TABLE messages ADD COLUMN events TEXT NOT NULL DEFAULT '';
