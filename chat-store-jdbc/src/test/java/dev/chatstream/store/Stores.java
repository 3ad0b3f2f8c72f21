package dev.chatstream.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * Fresh stores for tests: an SQLite file in a new temp directory, or a new PostgreSQL database. The contract tests
 * close what they opened after each test ({@link #closeOpened}): every open PostgreSQL store holds pool
 * connections, and the test server's {@code max_connections} was reached once the suite had enough tests (a
 * clean-clone CI run failed with "too many clients already"). Whatever is left is closed at JVM exit.
 */
final class Stores {
    private static final List<JdbcStore> OPEN = new ArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            synchronized (OPEN) {
                OPEN.forEach(JdbcStore::close);
            }
        }));
    }

    private Stores() {
    }

    /** Closes every store opened so far (after each test). */
    static void closeOpened() {
        List<JdbcStore> open;
        synchronized (OPEN) {
            open = new ArrayList<>(OPEN);
            OPEN.clear();
        }
        open.forEach(JdbcStore::close);
    }

    static JdbcStore sqlite() {
        try {
            return track(JdbcStore.open(StoreConfig.inDataDir(Files.createTempDirectory("chatstream-sqlite"))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JdbcStore postgres() {
        return track(JdbcStore.open(TestPostgres.shared().newDatabase()));
    }

    private static JdbcStore track(JdbcStore store) {
        synchronized (OPEN) {
            OPEN.add(store);
        }
        return store;
    }
}
