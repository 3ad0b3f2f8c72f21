package dev.chatstream.store;

import dev.chatstream.core.ConfigException;
import dev.chatstream.core.Settings;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Where the store lives and how many connections it may hold.
 *
 * @param jdbcUrl        {@code jdbc:sqlite:/path/to/chatstream.db} or {@code jdbc:postgresql://host/db}
 * @param username       the database user; empty for SQLite
 * @param password       the database password; empty for SQLite. Never logged, never in {@link #toString()}
 * @param maxConnections the pool's size, positive
 * @param connectTimeout how long a caller waits for a connection before the store reports itself unavailable
 */
public record StoreConfig(String jdbcUrl, String username, String password, int maxConnections,
                          Duration connectTimeout) {
    /** The pool size for SQLite: readers run in parallel, writers take turns. */
    public static final int SQLITE_CONNECTIONS = 8;

    public StoreConfig {
        if (jdbcUrl == null || !(jdbcUrl.startsWith("jdbc:sqlite:") || jdbcUrl.startsWith("jdbc:postgresql:"))) {
            throw new IllegalArgumentException("store.url must be a jdbc:sqlite: or jdbc:postgresql: URL, got "
                    + redact(jdbcUrl));
        }
        if (username == null || password == null) {
            throw new IllegalArgumentException("username and password must not be null (use \"\")");
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be positive, got " + maxConnections);
        }
        if (connectTimeout == null || connectTimeout.toMillis() < 250) {
            throw new IllegalArgumentException("connectTimeout must be at least 250 ms, got " + connectTimeout);
        }
    }

    /** One SQLite file, created with its directory on first open. */
    public static StoreConfig sqlite(Path file) {
        return new StoreConfig("jdbc:sqlite:" + file.toAbsolutePath(), "", "", SQLITE_CONNECTIONS, Duration.ofSeconds(5));
    }

    /** The embedded default: {@code chatstream.db} in {@code dataDir}. */
    public static StoreConfig inDataDir(Path dataDir) {
        return sqlite(dataDir.resolve("chatstream.db"));
    }

    /** A database by URL; SQLite URLs get the SQLite pool size, others 10 connections. */
    public static StoreConfig of(String jdbcUrl, String username, String password) {
        int connections = jdbcUrl != null && jdbcUrl.startsWith("jdbc:sqlite:") ? SQLITE_CONNECTIONS : 10;
        return new StoreConfig(jdbcUrl, username, password, connections, Duration.ofSeconds(5));
    }

    /** {@code store.url}: the database's JDBC URL; empty for SQLite in the data directory. */
    public static final Settings.Key URL = new Settings.Key("store.url", "");
    /** {@code store.user}: the PostgreSQL user. */
    public static final Settings.Key USER = new Settings.Key("store.user", "");
    /** {@code store.password}: the PostgreSQL password; never logged. */
    public static final Settings.Key PASSWORD = new Settings.Key("store.password", "");
    /** {@code store.timeout.millis}: how long a caller waits for a connection. */
    public static final Settings.Key TIMEOUT_MILLIS = new Settings.Key("store.timeout.millis", "5000");
    /** The settings this adapter reads. */
    public static final java.util.List<Settings.Key> KEYS = java.util.List.of(URL, USER, PASSWORD, TIMEOUT_MILLIS);

    /**
     * The database {@code settings} name: {@code store.url}, or SQLite in {@code dataDir}.
     *
     * @throws ConfigException naming the key, its source and the accepted values when one is wrong (never the
     *                         password)
     */
    public static StoreConfig from(Settings settings, Path dataDir) {
        Duration timeout = Duration.ofMillis(settings.integer(TIMEOUT_MILLIS, 250, 600_000));
        String url = settings.text(URL);
        if (url.isBlank()) {
            return inDataDir(dataDir).withConnectTimeout(timeout);
        }
        try {
            return of(url, settings.text(USER), settings.text(PASSWORD)).withConnectTimeout(timeout);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(URL.name() + " (" + settings.source(URL) + ") must be a jdbc:sqlite:FILE or "
                    + "jdbc:postgresql://HOST/DATABASE URL, got \"" + redact(url) + "\"");
        }
    }

    /** This store with another wait for a connection (at least 250 ms). */
    public StoreConfig withConnectTimeout(Duration timeout) {
        return new StoreConfig(jdbcUrl, username, password, maxConnections, timeout);
    }

    /** Whether this is an SQLite store. */
    public boolean sqlite() {
        return jdbcUrl.startsWith("jdbc:sqlite:");
    }

    /** The SQLite file, for an SQLite store. */
    Path sqliteFile() {
        String rest = jdbcUrl.substring("jdbc:sqlite:".length());
        int query = rest.indexOf('?');
        return Path.of(query < 0 ? rest : rest.substring(0, query));
    }

    /** The URL without anything that may be a secret (a password in its query string). */
    public String describe() {
        return redact(jdbcUrl);
    }

    /** {@code url} with any {@code password=} value in it replaced by {@code ***}, for messages and logs. */
    public static String redact(String url) {
        if (url == null) {
            return "nothing";
        }
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }

    @Override
    public String toString() {
        return "StoreConfig[" + describe() + ", user=" + username + ", connections=" + maxConnections + "]";
    }
}
