package dev.chatstream.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chatstream.core.ChatException;
import dev.chatstream.core.Device;
import dev.chatstream.core.ErrorCode;
import dev.chatstream.core.HomeContext;
import dev.chatstream.core.MessageStatus;
import dev.chatstream.core.Reply;
import dev.chatstream.core.UserId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What only the SQLite file store must show: the file, its mode, durability, writers queueing. */
class SqliteStoreTest {
    private static final UserId ANA = UserId.of("ana");

    @TempDir
    Path dir;

    @Test
    void shouldCreateTheFileAndItsDirectoryInWalMode() throws Exception {
        Path dataDir = dir.resolve("nested/data");

        try (JdbcStore store = JdbcStore.open(StoreConfig.inDataDir(dataDir))) {
            store.memories().add(ANA, "olá");
        }

        assertThat(dataDir.resolve("chatstream.db")).isRegularFile();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("chatstream.db"));
             Statement s = c.createStatement(); ResultSet r = s.executeQuery("PRAGMA journal_mode")) {
            r.next();
            assertThat(r.getString(1)).isEqualTo("wal");
        }
    }

    /** Issue 22, finding 7: memories and conversations are private; other users of the machine cannot read them. */
    @Test
    void shouldCreateTheDirectoryAndTheFilesForTheirOwnerOnly() throws Exception {
        Path dataDir = dir.resolve("private/data");

        try (JdbcStore store = JdbcStore.open(StoreConfig.inDataDir(dataDir))) {
            store.memories().add(ANA, "o código do portão é 1234");
            try (var files = java.nio.file.Files.list(dataDir)) {
                for (Path f : files.toList()) { // the database, and its WAL and shared memory while open
                    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                            java.nio.file.Files.getPosixFilePermissions(f))).as(f.getFileName().toString())
                            .isEqualTo("rw-------");
                }
            }
        }

        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                java.nio.file.Files.getPosixFilePermissions(dataDir))).isEqualTo("rwx------");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                java.nio.file.Files.getPosixFilePermissions(dataDir.resolve("chatstream.db")))).isEqualTo("rw-------");
    }

    /** Issue 26: upgrading a database made before 'truncated' existed keeps every message and its id. */
    @Test
    void shouldUpgradeADatabaseFromBeforeTruncatedRepliesKeepingEveryMessage(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("chatstream.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            org.flywaydb.core.Flyway.configure().dataSource("jdbc:sqlite:" + file, "", "")
                    .locations("classpath:db/sqlite").target("1").load().migrate();
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO users (name, created_at) VALUES ('ana', 1)");
                s.executeUpdate("INSERT INTO conversations (user_id, title, created_at, updated_at, last_message_id) "
                        + "VALUES (1, 'Olá', 1, 1, 0)");
                s.executeUpdate("INSERT INTO messages (id, conversation_id, role, content, status, created_at) "
                        + "VALUES (41, 1, 'user', 'Olá', 'complete', 1), (42, 1, 'assistant', 'Era uma', "
                        + "'cancelled', 2)");
            }
        }

        try (JdbcStore store = JdbcStore.open(StoreConfig.sqlite(file))) {
            List<dev.chatstream.core.StoredMessage> before = store.conversations().messages(ANA, 1).orElseThrow();
            assertThat(before).extracting(dev.chatstream.core.StoredMessage::id).containsExactly(41L, 42L);
            assertThat(before.getLast().status()).isEqualTo(MessageStatus.CANCELLED);
            store.conversations().saveTurn(ANA, OptionalLong.of(1), "mais", new Reply("cortada", MessageStatus.TRUNCATED));
            List<dev.chatstream.core.StoredMessage> after = store.conversations().messages(ANA, 1).orElseThrow();
            assertThat(after.getLast().status()).isEqualTo(MessageStatus.TRUNCATED);
            assertThat(after.getLast().id()).as("ids go on after the kept ones").isGreaterThan(42L);
        }
    }

    @Test
    void shouldKeepEverythingAcrossAReopen() {
        StoreConfig config = StoreConfig.inDataDir(dir);
        long conversation;
        String token;
        try (JdbcStore store = JdbcStore.open(config)) {
            store.accounts().addUser("ana");
            token = store.accounts().issueToken(ANA, "laptop").token();
            store.memories().add(ANA, "O gato chama-se Tareco");
            store.homes().replaceHomeContext(ANA, new HomeContext(List.of(
                    new Device("light.sala", "Luz da sala", "Sala", List.of("candeeiro")))));
            conversation = store.conversations().saveTurn(ANA, OptionalLong.empty(), "olá",
                    new Reply("olá!", MessageStatus.COMPLETE));
        }

        try (JdbcStore store = JdbcStore.open(config)) {
            assertThat(store.accounts().authenticate(token)).contains(ANA);
            assertThat(store.memories().relevant(ANA, "o meu gato", 5)).hasSize(1);
            assertThat(store.homes().homeContext(ANA).devices().getFirst().aliases()).containsExactly("candeeiro");
            assertThat(store.conversations().messages(ANA, conversation).orElseThrow()).hasSize(2);
        }
    }

    @Test
    void shouldMakeAConsistentBackupWithVacuumIntoWhileOpen() throws Exception {
        Path backup = dir.resolve("backup.db");
        try (JdbcStore store = JdbcStore.open(StoreConfig.inDataDir(dir))) {
            store.memories().add(ANA, "O gato chama-se Tareco"); // in the WAL file, not yet in chatstream.db
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("chatstream.db"));
                 Statement s = c.createStatement()) {
                s.execute("VACUUM INTO '" + backup + "'"); // the command docs/data.md gives
            }
        }

        try (JdbcStore restored = JdbcStore.open(StoreConfig.sqlite(backup))) {
            assertThat(restored.memories().list(ANA)).extracting(m -> m.text()).containsExactly("O gato chama-se Tareco");
        }
    }

    @Test
    void shouldFoldTheWalIntoTheFileOnClose() throws Exception {
        try (JdbcStore store = JdbcStore.open(StoreConfig.inDataDir(dir))) {
            store.memories().add(ANA, "olá");
            assertThat(dir.resolve("chatstream.db-wal")).exists();
        }

        assertThat(dir.resolve("chatstream.db-wal")).as("a stopped server leaves one file to copy").doesNotExist();
    }

    @Test
    void shouldNeverStoreATokenItself() throws Exception {
        String token;
        try (JdbcStore store = JdbcStore.open(StoreConfig.inDataDir(dir))) {
            store.accounts().addUser("ana");
            token = store.accounts().issueToken(ANA, "laptop").token();
        }

        byte[] file = Files.readAllBytes(dir.resolve("chatstream.db"));
        assertThat(new String(file, StandardCharsets.ISO_8859_1)).doesNotContain(token)
                .contains(JdbcAccounts.sha256Hex(token));
    }

    @Test
    void shouldQueueFiftyWritersWithoutDatabaseIsLocked() throws Exception {
        try (JdbcStore store = JdbcStore.open(StoreConfig.inDataDir(dir))) {
            int writers = 50;
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Long>> saved = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < writers; i++) {
                    String message = "mensagem " + i;
                    saved.add(pool.submit(() -> {
                        go.await();
                        store.memories().list(ANA); // a reader among the writers
                        return store.conversations().saveTurn(ANA, OptionalLong.empty(), message,
                                new Reply("resposta", MessageStatus.COMPLETE));
                    }));
                }
                go.countDown();
                for (Future<Long> f : saved) {
                    f.get();
                }
            }
            assertThat(store.conversations().conversations(ANA)).hasSize(writers);
        }
    }

    @Test
    void shouldRefuseAFileThatIsNotADatabaseWithAClearMessage() throws Exception {
        Files.writeString(dir.resolve("chatstream.db"), "this is not a database, it is a shopping list\n".repeat(100));

        assertThatThrownBy(() -> JdbcStore.open(StoreConfig.inDataDir(dir).withConnectTimeout(
                        java.time.Duration.ofMillis(250)))) // the wait, scaled down from 5 s
                .isInstanceOf(StoreException.class)
                .hasMessageStartingWith("Cannot open the store at jdbc:sqlite:" + dir.resolve("chatstream.db"))
                .hasMessageEndingWith("; check that the file is a chatstream database and can be written");
    }

    @Test
    void shouldReportAStoreThatBreaksMidRunAsStoreUnavailable() throws Exception {
        try (JdbcStore store = JdbcStore.open(StoreConfig.inDataDir(dir))) {
            store.memories().add(ANA, "antes");
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("chatstream.db"));
                 Statement s = c.createStatement()) {
                s.execute("DROP TABLE memories"); // what a broken or foreign file looks like to a query
            }

            assertThatThrownBy(() -> store.memories().list(ANA))
                    .isInstanceOf(ChatException.class)
                    .hasMessage("The store could not read the memories; try again in a moment")
                    .extracting(e -> ((ChatException) e).code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE);
        }
    }
}
