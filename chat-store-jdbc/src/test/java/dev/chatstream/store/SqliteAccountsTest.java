package dev.chatstream.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatstream.core.UserId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class SqliteAccountsTest extends AccountsBehaviour {
    @org.junit.jupiter.api.AfterEach
    void closeStores() {
        Stores.closeOpened();
    }

    @Override
    JdbcStore newStore() {
        return Stores.sqlite();
    }

    /**
     * Issue 22, finding 6: while another writer holds SQLite's write lock (one user's burst of changes), checking
     * a token neither waits for the lock nor fails; its last use is written once the lock is free.
     */
    @Test
    void shouldCheckATokenWhileAnotherWriterHoldsTheLock() throws Exception {
        Path file = Files.createTempDirectory("chatstream-sqlite").resolve("chatstream.db");
        try (JdbcStore store = JdbcStore.open(StoreConfig.sqlite(file))) {
            JdbcAccounts accounts = store.accounts();
            accounts.addUser("ana");
            JdbcAccounts.IssuedToken token = accounts.issueToken(UserId.of("ana"), "laptop");
            try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + file);
                 Statement s = other.createStatement()) {
                s.execute("BEGIN IMMEDIATE"); // takes the write lock and keeps it

                assertThat(accounts.authenticate(token.token())).contains(UserId.of("ana"));
                assertThat(accounts.authenticate(token.token())).contains(UserId.of("ana"));

                s.execute("ROLLBACK");
            }
            assertThat(awaitLastUsed(accounts).lastUsedAt()).isPresent();
        }
    }
}
