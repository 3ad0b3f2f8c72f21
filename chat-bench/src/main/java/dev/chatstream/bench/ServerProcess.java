package dev.chatstream.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real server as users run it: {@code bin/chatstream-server} (its JVM flags, auth on, the SQLite store in a
 * fresh data directory), started as a child process on a free port. Limits that would refuse a load test
 * (rate, streams per user, streams in all) are raised; everything else is the default.
 */
final class ServerProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("chatstream listening on (http://\\S+/) ");

    private final Process process;
    final URI base;
    final String token;
    final Path dataDir;

    private ServerProcess(Process process, URI base, String token, Path dataDir) {
        this.process = process;
        this.base = base;
        this.token = token;
        this.dataDir = dataDir;
    }

    static ServerProcess start(Path launcher, URI ollama, Map<String, String> extra) throws IOException {
        Path data = Files.createTempDirectory("chat-bench-data");
        ProcessBuilder pb = new ProcessBuilder(launcher.toString()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("CHATSTREAM_PORT", "0");
        env.put("CHATSTREAM_DATA_DIR", data.toString());
        env.put("CHATSTREAM_OLLAMA_URL", ollama.toString());
        env.put("CHATSTREAM_LIMITS_RATE_PER_MINUTE", "1000000");
        env.put("CHATSTREAM_LIMITS_RATE_BURST", "1000000");
        env.put("CHATSTREAM_LIMITS_STREAMS_PER_USER", "100000");
        env.put("CHATSTREAM_LIMITS_STREAMS_TOTAL", "6000");
        env.putAll(extra);
        Process p = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<URI> base = new CompletableFuture<>();
        List<String> lines = new ArrayList<>();
        Thread.ofPlatform().daemon(true).name("server-output").start(() -> {
            try {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    synchronized (lines) {
                        if (lines.size() < 2000) {
                            lines.add(line);
                        }
                    }
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        base.complete(URI.create(m.group(1)));
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
            base.completeExceptionally(new IllegalStateException("the server exited: " + lines));
        });
        try {
            URI b = base.get(300, TimeUnit.SECONDS); // the launcher may build first
            // Its standard output is a pipe, so the first start wrote the admin token to an owner-only file.
            String token = java.nio.file.Files.readString(data.resolve("admin-token")).strip();
            ServerProcess s = new ServerProcess(p, b, token, data);
            return s;
        } catch (Exception e) {
            p.destroyForcibly();
            throw new IllegalStateException("the server did not start: " + e.getMessage() + " " + lines, e);
        }
    }

    /**
     * The server's own mean time from a request's arrival in the resource to its first chunk written, in ms
     * ({@code chatstream_stream_first_chunk_seconds} sum over count from {@code /metrics}), since start.
     */
    double[] firstChunkSumAndCount() {
        try {
            java.net.http.HttpClient c = java.net.http.HttpClient.newBuilder()
                    .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
            String m = c.send(java.net.http.HttpRequest.newBuilder(base.resolve("metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            double[] out = new double[2 + PHASES.size()];
            out[0] = metric(m, "chatstream_stream_first_chunk_seconds_sum");
            out[1] = metric(m, "chatstream_stream_first_chunk_seconds_count");
            for (int i = 0; i < PHASES.size(); i++) {
                out[2 + i] = labelled(m, "chatstream_stream_first_chunk_phase_seconds_sum{phase=\"" + PHASES.get(i)
                        + "\"}");
            }
            return out;
        } catch (IOException e) {
            return new double[2 + PHASES.size()];
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new double[2 + PHASES.size()];
        }
    }

    /** The phases of {@code chatstream_stream_first_chunk_phase_seconds}, in order. */
    static final List<String> PHASES = List.of("admit", "generate", "deliver");

    private static double labelled(String text, String series) {
        for (String line : text.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return Double.NaN;
    }

    private static double metric(String text, String name) {
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return Double.NaN;
    }

    long pid() {
        return process.pid();
    }

    /** Heap in use after a full collection ({@code jcmd PID GC.run} first): what is really kept. */
    long heapUsedAfterGcBytes() {
        try {
            Path jcmd = Path.of(ProcessHandle.current().info().command().orElse("java")).resolveSibling("jcmd");
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid()), "GC.run").redirectErrorStream(true)
                    .start();
            p.getInputStream().readAllBytes();
            p.waitFor(60, TimeUnit.SECONDS);
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
        return heapUsedBytes();
    }

    /** {@code jcmd PID GC.heap_info}'s first "used" figure, in bytes; -1 when jcmd is not there. */
    long heapUsedBytes() {
        try {
            Path jcmd = Path.of(ProcessHandle.current().info().command().orElse("java")).resolveSibling("jcmd");
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid()), "GC.heap_info")
                    .redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            Matcher m = Pattern.compile("used (\\d+)([KM])").matcher(text);
            if (m.find()) {
                return Long.parseLong(m.group(1)) * (m.group(2).equals("M") ? 1 << 20 : 1 << 10);
            }
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return -1;
    }

    /** Stops the server (gracefully, then by force after 30 s) and deletes its data directory. */
    @Override
    public void close() throws Exception {
        process.destroy(); // SIGTERM: graceful
        if (!process.waitFor(Duration.ofSeconds(30).toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        try (java.util.stream.Stream<Path> files = Files.walk(dataDir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.err.println("chat-bench: could not delete " + dataDir + " (" + e.getMessage() + ")");
        }
    }
}
