package dev.chatstream.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.chatstream.core.ConversationStore;
import dev.chatstream.core.HomeContextStore;
import dev.chatstream.core.MemoryStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * chatstream's store over JDBC: one pool, the schema migrated when it opens, and the store ports on top.
 * SQLite runs in WAL mode (readers never wait for the writer; writers wait their turn for up to 30 s
 * rather than fail with "database is locked"); every write is one transaction. Thread-safe; close it
 * once, at shutdown.
 *
 * <pre>{@code
 * try (JdbcStore store = JdbcStore.open(StoreConfig.inDataDir(Path.of("data")))) {
 *     store.memories().add(UserId.of("ana"), "O aniversário da Ana é a 3 de maio");
 * }
 * }</pre>
 */
public final class JdbcStore implements AutoCloseable {
    private final StoreConfig config;
    private final HikariDataSource pool;
    private final JdbcMemoryStore memories;
    private final JdbcConversationStore conversations;
    private final JdbcHomeContextStore homes;
    private final JdbcAccounts accounts;

    private JdbcStore(StoreConfig config, HikariDataSource pool, Clock clock) {
        this.config = config;
        this.pool = pool;
        Db db = new Db(pool, Dialect.of(config), clock, () -> {
            if (pool.getHikariPoolMXBean() != null) {
                pool.getHikariPoolMXBean().softEvictConnections();
            }
        });
        this.memories = new JdbcMemoryStore(db);
        this.conversations = new JdbcConversationStore(db);
        this.homes = new JdbcHomeContextStore(db);
        this.accounts = new JdbcAccounts(db);
    }

    /**
     * Opens the store: creates the SQLite file and its directory when missing, and brings the schema up to
     * date.
     *
     * @throws StoreException when the database cannot be reached or migrated; its message says what to check
     */
    public static JdbcStore open(StoreConfig config) {
        return open(config, Clock.systemUTC());
    }

    static JdbcStore open(StoreConfig config, Clock clock) {
        if (config.sqlite()) {
            createDirectory(config.sqliteFile());
        }
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(hikari(config));
        } catch (RuntimeException e) {
            throw new StoreException("Cannot open the store at " + config.describe() + ": " + rootMessage(e)
                    + (config.sqlite() ? "; check that the file is a chatstream database and can be written"
                    : "; check that PostgreSQL is running, and the URL, user and password"), e);
        }
        try {
            Flyway.configure()
                    .dataSource(pool)
                    .locations(Dialect.of(config).migrations())
                    .failOnMissingLocations(true)
                    .load()
                    .migrate();
        } catch (FlywayException e) {
            pool.close();
            throw new StoreException("Cannot bring the store's schema at " + config.describe() + " up to date: "
                    + rootMessage(e), e);
        }
        return new JdbcStore(config, pool, clock);
    }

    private static HikariConfig hikari(StoreConfig config) {
        HikariConfig h = new HikariConfig();
        h.setPoolName("chatstream-store");
        h.setJdbcUrl(config.jdbcUrl());
        if (!config.username().isEmpty()) {
            h.setUsername(config.username());
        }
        if (!config.password().isEmpty()) {
            h.setPassword(config.password());
        }
        h.setMaximumPoolSize(config.maxConnections());
        h.setConnectionTimeout(config.connectTimeout().toMillis());
        h.setInitializationFailTimeout(config.connectTimeout().toMillis());
        if (config.sqlite()) {
            // Properties sqlite-jdbc applies to every connection it opens.
            h.addDataSourceProperty("journal_mode", "WAL");
            h.addDataSourceProperty("synchronous", "FULL");
            h.addDataSourceProperty("foreign_keys", "true");
            h.addDataSourceProperty("busy_timeout", "30000");
            // A write transaction takes the write lock when it begins, so two writers queue on busy_timeout
            // instead of one failing at once when it tries to upgrade a read lock.
            h.addDataSourceProperty("transaction_mode", "IMMEDIATE");
        }
        return h;
    }

    /**
     * Creates the data directory (only its owner may enter it, 0700) and an empty database file only its owner may
     * read (0600) when they do not exist yet; SQLite gives its WAL and shared-memory files the database file's
     * permissions. What exists already is left as its owner set it.
     */
    private static void createDirectory(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, ownerOnly("rwx------"));
            }
            if (!Files.exists(file)) {
                Files.createFile(file, ownerOnly("rw-------"));
            }
        } catch (UnsupportedOperationException e) { // not a POSIX file system: its own defaults apply
            try {
                Files.createDirectories(dir);
            } catch (IOException io) {
                throw cannotCreate(dir, io);
            }
        } catch (java.nio.file.FileAlreadyExistsException e) {
            // created meanwhile by another process: fine
        } catch (IOException e) {
            throw cannotCreate(dir, e);
        }
    }

    private static java.nio.file.attribute.FileAttribute<?> ownerOnly(String permissions) {
        return java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString(permissions));
    }

    private static StoreException cannotCreate(Path dir, IOException e) {
        return new StoreException("Cannot create the data directory " + dir + ": " + e.getMessage()
                + "; create it, or choose another with data.dir", e);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    /** Each user's memories. */
    public MemoryStore memories() {
        return memories;
    }

    /** Each user's conversations. */
    public ConversationStore conversations() {
        return conversations;
    }

    /** Each user's home context. */
    public HomeContextStore homes() {
        return homes;
    }

    /** Users and API tokens. */
    public JdbcAccounts accounts() {
        return accounts;
    }

    /** Where the store is (never with a password). */
    public String describe() {
        return config.describe();
    }

    /** Whether the database answers now (for readiness checks). */
    public boolean ping() {
        try (Connection c = pool.getConnection()) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    /** Closes the pool; with SQLite, the WAL is checkpointed into the database file. */
    @Override
    public void close() {
        accounts.close();
        pool.close();
    }
}
