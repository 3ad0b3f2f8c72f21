/**
 * chatstream's store over JDBC: users and API tokens, memories with full-text search, conversations and
 * each user's home context, in one SQLite file (the embedded default) or in PostgreSQL. Open it with
 * {@link dev.chatstream.store.JdbcStore#open(dev.chatstream.store.StoreConfig)}; the schema is migrated at
 * open. Plain SQL, no ORM.
 */
package dev.chatstream.store;
