package dev.chatstream.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code bin/chat-bench}: the standard load scenarios against the real server (started with
 * {@code bin/chatstream-server}) and, in the same run, straight against the fake Ollama, so that "added" figures
 * are differences measured together. Writes {@code results.md} and PNG charts to the output directory and says
 * what it is doing as it goes. {@code --quick} runs smaller scenarios (a smoke test of the driver).
 */
public final class Bench {
    /** One concurrency level's figures. */
    record Level(String name, int concurrency, int streams, Percentiles serverFirst, Percentiles directFirst,
            Percentiles serverGaps, Percentiles directGaps, Map<String, Integer> errors, double serverCpuPerTokenMicros,
            double driverCpuPerTokenMicros, double peakRssMb, long tokens) {
        Percentiles added() {
            return serverFirst.minus(directFirst);
        }
    }

    /** Disconnect-to-upstream-closed figures. */
    record Aborts(int streams, Percentiles server, Percentiles direct, int missing, Map<String, Integer> errors) {
    }

    /**
     * Resumable turns (issue 19): reattach after a lost connection, timed from the request to its first replayed
     * event; CPU per token with and without {@code resumable}; heap kept per ended turn.
     */
    record Turns(int streams, Percentiles reattach, int complete, Map<String, Integer> errors, double plainCpuMicros,
            double resumableCpuMicros, int keptTurns, double bytesPerKeptTurn) {
        Turns withKept(Kept k) {
            return new Turns(streams, reattach, complete, errors, plainCpuMicros, resumableCpuMicros, k.turns(),
                    k.bytesPerTurn());
        }
    }

    /** The mostly idle scenario's figures. */
    record Idle(int streams, int opened, Map<String, Integer> errors, Percentiles pingLateness, int pingsExpected,
            int pingsSeen, double peakRssMb, double heapUsedMb, double idleCpuMillisPerSecond, long threads) {
    }

    private final Path launcher;
    private final Path out;
    private final boolean quick;
    private final String only;
    private final int warmup;

    private Bench(Path launcher, Path out, boolean quick, String only, int warmup) {
        this.warmup = warmup;
        this.launcher = launcher;
        this.out = out;
        this.quick = quick;
        this.only = only;
    }

    private boolean wanted(String scenario) {
        return only.isEmpty() || only.equals(scenario);
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("chatstream.root", "."));
        Path out = null;
        boolean quick = false;
        String only = "";
        int warmup = -1;
        for (String a : args) {
            if (a.equals("--quick")) {
                quick = true;
            } else if (a.startsWith("--only=")) {
                only = a.substring(7); // 1, 64, 512, aborts, turns, pool, redis, idle or speech: one scenario, e.g. while profiling
            } else if (a.startsWith("--warmup=")) {
                warmup = Integer.parseInt(a.substring(9)); // replies per user while warming up
            } else if (a.startsWith("--out=")) {
                out = Path.of(a.substring(6));
            } else {
                System.err.println("chat-bench: unknown argument " + a + "; use --quick, --only=1|64|512|aborts|turns|pool|redis|idle|speech, "
                        + "--warmup=N and --out=DIR");
                System.exit(2);
            }
        }
        if (out == null) { // a quick run never overwrites the figures of a full one
            out = root.resolve(quick ? "chat-bench/target/bench-quick" : "chat-bench/target/bench");
        }
        Files.createDirectories(out);
        new Bench(root.resolve("bin/chatstream-server"), out, quick, only,
                warmup >= 0 ? warmup : quick ? 3 : 15).runAll();
        System.exit(0);
    }

    private void runAll() throws Exception {
        Instant started = Instant.now();
        say("chat-bench: " + (quick ? "quick run" : "standard scenarios") + "; results in " + out);
        if (wanted("speech")) {
            String speech = SpeechFigures.markdown();
            Files.createDirectories(out);
            Files.writeString(out.resolve("speech.md"), speech);
            say("speech: " + out.resolve("speech.md"));
            if (only.equals("speech")) {
                System.out.print(speech);
                return;
            }
        }
        List<Level> levels = new ArrayList<>();
        Aborts aborts;
        Idle idle;
        Turns turns = null;
        try (PacedOllama ollama = new PacedOllama()) {
            ollama.script(new PacedOllama.Script(100, Duration.ofMillis(20), Duration.ZERO));
            try (ServerProcess server = ServerProcess.start(launcher, ollama.baseUrl(), Map.of())) {
                say("server pid " + server.pid() + " at " + server.base + " (bin/chatstream-server, SQLite in "
                        + server.dataDir + ")");
                StreamClient viaServer = new StreamClient(StreamClient.Target.SERVER, server.base, server.token);
                StreamClient direct = new StreamClient(StreamClient.Target.DIRECT, ollama.baseUrl(), null);
                say("warming up (JIT, caches): 64 users x " + warmup + " replies through the server");
                Load.steady(viaServer, 64, warmup, Duration.ofSeconds(2));
                Load.steady(direct, 64, 2, Duration.ofSeconds(2));
                if (wanted("1")) {
                    levels.add(level("1 stream", server, viaServer, direct, 1, quick ? 5 : 20));
                }
                if (wanted("64")) {
                    levels.add(level("64 streams", server, viaServer, direct, 64, quick ? 2 : 5));
                }
                if (wanted("512")) {
                    levels.add(level("512 streams", server, viaServer, direct, 512, quick ? 2 : 4));
                }
                aborts = wanted("aborts") ? aborts(ollama, viaServer, direct, quick ? 2 : 8) : null;
                if (wanted("turns")) {
                    turns = turns(server, quick ? 2 : 5);
                }
            }
            if (wanted("turns")) {
                turns = turns.withKept(kept(ollama, quick ? 500 : 2000));
                ollama.script(new PacedOllama.Script(100, Duration.ofMillis(20), Duration.ZERO));
            }
            if (wanted("pool")) {
                pool(quick ? 2 : 5);
            }
            if (wanted("redis")) {
                redis(quick ? 2 : 5);
            }
            if (!wanted("idle")) {
                say("done (" + only + " only; no report)");
                return;
            }
            int idleStreams = quick ? 500 : 5000;
            Duration loading = quick ? Duration.ofSeconds(17) : Duration.ofSeconds(35);
            ollama.script(new PacedOllama.Script(5, Duration.ofMillis(20), loading));
            try (ServerProcess server = ServerProcess.start(launcher, ollama.baseUrl(), Map.of())) {
                idle = idle(server, new StreamClient(StreamClient.Target.SERVER, server.base, server.token), idleStreams,
                        loading);
            }
        }
        Report.write(out, levels, aborts, idle, turns, started, Duration.between(started, Instant.now()), quick);
        say("done in " + Duration.between(started, Instant.now()).toSeconds() + " s: " + out.resolve("results.md"));
        System.out.print(Files.readString(out.resolve("results.md"))); // the figures on stdout; progress is on stderr
    }

    /**
     * The 64-stream scenario through a pool of two fake Ollamas against one backend (issue 21), each server freshly
     * started and warmed the same way, in one run: what routing and per-backend bookkeeping cost, and how the
     * replies spread. Written to {@code pool.md}.
     */
    private void pool(int waves) throws Exception {
        say("pool: 64 users x " + waves + " replies through a server with one backend, then with a pool of two");
        StringBuilder md = new StringBuilder("# Backend pool: 64 streams, one backend against a pool of two\n\n"
                + "| server | first chunk p50 / p99 (ms) | server CPU per token (µs) | replies per backend | errors |\n"
                + "|---|---|---|---|---|\n");
        try (PacedOllama a = new PacedOllama(); PacedOllama b = new PacedOllama()) {
            for (PacedOllama o : List.of(a, b)) {
                o.script(new PacedOllama.Script(100, Duration.ofMillis(20), Duration.ZERO));
            }
            String two = "[{\"type\": \"ollama\", \"name\": \"a\", \"url\": \"" + a.baseUrl() + "\"}, "
                    + "{\"type\": \"ollama\", \"name\": \"b\", \"url\": \"" + b.baseUrl() + "\"}]";
            for (boolean pooled : new boolean[] {false, true}) {
                Map<String, String> env = pooled ? Map.of("CHATSTREAM_LLM_BACKENDS", two) : Map.of();
                try (ServerProcess server = ServerProcess.start(launcher, a.baseUrl(), env)) {
                    StreamClient client = new StreamClient(StreamClient.Target.SERVER, server.base, server.token);
                    Load.steady(client, 64, warmup, Duration.ofSeconds(2));
                    long beforeA = a.requests();
                    long beforeB = b.requests();
                    long cpu0 = ProcStats.cpuNanos(server.pid());
                    Load.Streams s = Load.steady(client, 64, waves, Duration.ofSeconds(2));
                    long cpu = ProcStats.cpuNanos(server.pid()) - cpu0;
                    long toA = a.requests() - beforeA;
                    long toB = b.requests() - beforeB;
                    String row = String.format("| %s | %.2f / %.2f | %.1f | a %d, b %d | %d |", pooled
                            ? "pool of two" : "one backend", s.firstChunk().p50(), s.firstChunk().p99(),
                            s.chunks() == 0 ? Double.NaN : cpu / 1e3 / s.chunks(), toA, toB, s.errorCount());
                    say("  " + row);
                    md.append(row).append('\n');
                }
            }
        }
        Files.writeString(out.resolve("pool.md"), md.toString());
    }

    /**
     * The 64-stream scenario on a server alone, then on one that shares its limits, tickets and turns through a real
     * redis-server (issue 20), each freshly started and warmed the same way, in one run: what Redis adds to the first
     * chunk and to the CPU per token, and how many Redis commands a turn costs. Written to {@code redis.md}.
     */
    private void redis(int waves) throws Exception {
        say("redis: 64 users x " + waves + " replies through a server alone, then through one sharing state in Redis");
        StringBuilder md = new StringBuilder("# Several nodes: 64 streams, without and with Redis\n\n"
                + "| server | first chunk p50 / p99 (ms) | server CPU per token (µs) | Redis commands per reply | errors |\n"
                + "|---|---|---|---|---|\n");
        try (PacedOllama ollama = new PacedOllama(); dev.chatstream.redis.RedisServer redis =
                dev.chatstream.redis.RedisServer.start()) {
            ollama.script(new PacedOllama.Script(100, Duration.ofMillis(20), Duration.ZERO));
            String stops = "";
            for (boolean shared : new boolean[] {false, true}) {
                Map<String, String> env = shared ? Map.of("CHATSTREAM_REDIS_URL", redis.url()) : Map.of();
                try (ServerProcess server = ServerProcess.start(launcher, ollama.baseUrl(), env)) {
                    StreamClient client = new StreamClient(StreamClient.Target.SERVER, server.base, server.token);
                    Load.steady(client, 64, warmup, Duration.ofSeconds(2));
                    long commands0 = shared ? redisCommands(redis) : 0;
                    long cpu0 = ProcStats.cpuNanos(server.pid());
                    Load.Streams s = Load.steady(client, 64, waves, Duration.ofSeconds(2));
                    long cpu = ProcStats.cpuNanos(server.pid()) - cpu0;
                    long commands = shared ? redisCommands(redis) - commands0 - 1 : 0; // less the INFO itself
                    String row = String.format("| %s | %.2f / %.2f | %.1f | %s | %d |", shared ? "sharing through Redis"
                            : "alone", s.firstChunk().p50(), s.firstChunk().p99(),
                            s.chunks() == 0 ? Double.NaN : cpu / 1e3 / s.chunks(),
                            shared ? String.format("%.1f", (double) commands / s.results().size()) : "-",
                            s.errorCount());
                    say("  " + row);
                    md.append(row).append('\n');
                    if (shared) {
                        stops = secondNode(ollama, server, env, quick ? 10 : 40);
                    }
                }
            }
            md.append('\n').append(stops);
        }
        Files.writeString(out.resolve("redis.md"), md.toString());
    }

    /**
     * A second node beside {@code owner} on the same Redis: {@code n} resumable replies started on the owner, each stopped
     * after its first chunk, through the owner itself, then through the other node (the time from the stop request
     * to the fake Ollama seeing its request closed); then 512 streams through one node and spread over both.
     */
    private String secondNode(PacedOllama ollama, ServerProcess owner, Map<String, String> env, int n) throws Exception {
        try (ServerProcess other = ServerProcess.start(launcher, ollama.baseUrl(), env)) {
            java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                    .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
            stopLatency(http, ollama, owner, owner, 5, 800_000); // warm both paths
            stopLatency(http, ollama, owner, other, 5, 810_000);
            Percentiles here = stopLatency(http, ollama, owner, owner, n, 900_000);
            Percentiles there = stopLatency(http, ollama, owner, other, n, 950_000);
            String text = String.format("Stop of a running reply → the LLM request closed (%d stops each, one after "
                    + "another): through its own node p50 %.2f ms / p99 %.2f ms / max %.2f ms; through the other node "
                    + "(published on Redis) p50 %.2f ms / p99 %.2f ms / max %.2f ms.%n", n, here.p50(), here.p99(),
                    here.max(), there.p50(), there.p99(), there.max());
            say("  " + text.strip());
            // how many streams the two hold: 512 through one of them, then 512 spread over both, on this machine
            StringBuilder held = new StringBuilder("\n| 512 streams (100 tokens 20 ms apart) | first chunk p50 / p99 (ms) "
                    + "| gap between chunks p99 (ms) | errors |\n|---|---|---|---|\n");
            StreamClient one = new StreamClient(StreamClient.Target.SERVER, owner.base, owner.token);
            StreamClient two = new StreamClient(StreamClient.Target.SERVER, other.base, other.token);
            int waves = quick ? 1 : 2;
            for (boolean both : new boolean[] {false, true}) {
                Load.Streams s = Load.steady(tag -> (both && tag % 2 == 1 ? two : one).run(tag, 0), 512, waves,
                        Duration.ofSeconds(2));
                String row = String.format("| %s | %.1f / %.1f | %.1f | %d |", both ? "over both nodes (256 each)"
                        : "through one node", s.firstChunk().p50(), s.firstChunk().p99(), s.gaps().p99(),
                        s.errorCount());
                say("  " + row);
                held.append(row).append('\n');
            }
            return text + held;
        }
    }

    private static Percentiles stopLatency(java.net.http.HttpClient http, PacedOllama ollama, ServerProcess owner,
            ServerProcess via, int n, int tags) throws Exception {
        ollama.forget();
        long[] v = new long[n];
        int got = 0;
        for (int i = 0; i < n; i++) {
            int tag = tags + i;
            java.net.http.HttpResponse<java.io.InputStream> r = http.send(java.net.http.HttpRequest.newBuilder(
                    owner.base.resolve("api/chat/stream/")).header("Authorization", "Bearer " + owner.token)
                    .header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                            "{\"message\": \"bench-" + tag + " Conta uma história\", \"resumable\": true}")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofInputStream());
            String turn = r.headers().firstValue("X-Turn-Id").orElseThrow();
            try (java.io.BufferedReader lines = new java.io.BufferedReader(new java.io.InputStreamReader(r.body(),
                    java.nio.charset.StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null && !line.startsWith("id: "); line = lines.readLine()) {
                    // up to the first event
                }
                long sent = System.nanoTime();
                http.send(java.net.http.HttpRequest.newBuilder(via.base.resolve("api/chat/turns/" + turn + "/stop"))
                        .header("Authorization", "Bearer " + via.token).POST(
                                java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                        java.net.http.HttpResponse.BodyHandlers.discarding());
                long deadline = sent + Duration.ofSeconds(5).toNanos();
                Long closed;
                while ((closed = ollama.closedAt(tag)) == null && System.nanoTime() < deadline) {
                    Thread.sleep(0, 200_000);
                }
                if (closed != null) {
                    v[got++] = Math.max(0, closed - sent);
                }
                while (lines.readLine() != null) {
                    // the stopped reply's last events
                }
            }
        }
        return Percentiles.of(v, got);
    }

    /** {@code total_commands_processed} of the Redis at {@code redis}. */
    private static long redisCommands(dev.chatstream.redis.RedisServer redis) {
        try (redis.clients.jedis.Jedis j = new redis.clients.jedis.Jedis("127.0.0.1", redis.port())) {
            for (String line : j.info("stats").split("\r?\n")) {
                if (line.startsWith("total_commands_processed:")) {
                    return Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
                }
            }
        }
        return 0;
    }

    private Level level(String name, ServerProcess server, StreamClient viaServer, StreamClient direct, int concurrency,
            int waves) {
        say(name + ": " + concurrency + " users each streaming " + waves + " replies of 100 tokens 20 ms apart back "
                + "to back (starts spread over 2 s), straight to the fake Ollama, then through the server");
        long driverCpu0 = ProcStats.cpuNanos(ProcessHandle.current().pid());
        Load.Streams d = Load.steady(direct, concurrency, waves, Duration.ofSeconds(2));
        long driverDirect = ProcStats.cpuNanos(ProcessHandle.current().pid()) - driverCpu0;
        RssSampler rss = new RssSampler(server.pid());
        long cpu0 = ProcStats.cpuNanos(server.pid());
        double[] fc0 = server.firstChunkSumAndCount();
        long driverCpu1 = ProcStats.cpuNanos(ProcessHandle.current().pid());
        Load.Streams s = Load.steady(viaServer, concurrency, waves, Duration.ofSeconds(2));
        double[] fc1 = server.firstChunkSumAndCount();
        double inside = (fc1[0] - fc0[0]) * 1000 / (fc1[1] - fc0[1]);
        StringBuilder phases = new StringBuilder();
        for (int i = 0; i < ServerProcess.PHASES.size(); i++) {
            phases.append(String.format("%s%s %.2f", i == 0 ? "" : ", ", ServerProcess.PHASES.get(i),
                    (fc1[2 + i] - fc0[2 + i]) * 1000 / (fc1[1] - fc0[1])));
        }
        long serverCpu = ProcStats.cpuNanos(server.pid()) - cpu0;
        long driverServer = ProcStats.cpuNanos(ProcessHandle.current().pid()) - driverCpu1;
        double peak = rss.stop() / 1048576.0;
        long tokens = s.chunks();
        Level l = new Level(name, concurrency, s.results().size(), s.firstChunk(), d.firstChunk(), s.gaps(), d.gaps(),
                s.errors(), tokens == 0 ? Double.NaN : serverCpu / 1e3 / tokens,
                tokens == 0 ? Double.NaN : driverServer / 1e3 / tokens, peak, tokens);
        say(String.format("  first chunk p50 %.2f ms (direct %.2f), p99 %.2f ms (direct %.2f); mean %.2f ms (inside the "
                        + "server: %.2f; by phase, mean ms: %s); server CPU %.1f µs/token "
                        + "(driver %.1f; driver alone, direct: %.1f); peak RSS %.0f MB; errors %s",
                l.serverFirst().p50(), l.directFirst().p50(), l.serverFirst().p99(), l.directFirst().p99(),
                s.meanFirstChunkMillis(), inside, phases,
                l.serverCpuPerTokenMicros(), l.driverCpuPerTokenMicros(),
                d.chunks() == 0 ? Double.NaN : driverDirect / 1e3 / d.chunks(), peak, s.errors()));
        return l;
    }

    private Aborts aborts(PacedOllama ollama, StreamClient viaServer, StreamClient direct, int waves) {
        say("aborts: 64 users each closing " + waves + " streams after 10 chunks (while the others stream)");
        ollama.forget();
        Load.Streams d = Load.steady(direct, 64, waves, Duration.ofSeconds(2), 10);
        Load.Streams s = Load.steady(viaServer, 64, waves, Duration.ofSeconds(2), 10);
        sleep(Duration.ofSeconds(2)); // let the last closes arrive
        long[] sv = new long[s.results().size()];
        long[] dv = new long[d.results().size()];
        int sn = collect(ollama, s, sv);
        int dn = collect(ollama, d, dv);
        Aborts a = new Aborts(s.results().size(), Percentiles.of(sv, sn), Percentiles.of(dv, dn),
                s.results().size() - sn, s.errors());
        say(String.format("  disconnect to upstream closed: p50 %.2f ms, p99 %.2f ms, max %.2f ms (direct p50 %.2f ms); "
                + "%d not seen", a.server().p50(), a.server().p99(), a.server().max(), a.direct().p50(), a.missing()));
        return a;
    }

    private static int collect(PacedOllama ollama, Load.Streams streams, long[] into) {
        int n = 0;
        for (int i = 0; i < streams.results().size(); i++) {
            StreamClient.Result r = streams.results().get(i);
            Long closed = ollama.closedAt(streams.tags().get(i));
            if (r.abortedAt != 0 && closed != null) {
                into[n++] = Math.max(0, closed - r.abortedAt);
            }
        }
        return n;
    }

    /**
     * 64 users streaming resumable replies, each losing its connection after 10 chunks and reattaching 250 ms later; then
     * CPU per token at 64 streams, plain and resumable, alternated twice (the medians of two each).
     */
    private Turns turns(ServerProcess server, int waves) {
        StreamClient resumable = new StreamClient(StreamClient.Target.SERVER, server.base, server.token, true);
        StreamClient plain = new StreamClient(StreamClient.Target.SERVER, server.base, server.token, false);
        say("turns: 64 users each streaming " + waves + " resumable replies, each connection cut after 10 chunks and "
                + "reattached 250 ms later with Last-Event-ID (about 12 events to replay)");
        Load.Streams s = Load.steady(tag -> resumable.runWithReattach(tag, 10, Duration.ofMillis(250)), 64, waves,
                Duration.ofSeconds(2));
        long[] v = new long[s.results().size()];
        int n = 0;
        int complete = 0;
        for (StreamClient.Result r : s.results()) {
            if (r.reattachFirst != 0) {
                v[n++] = r.reattachFirst - r.reattachSent;
            }
            if (r.outcome.equals("done") && r.chunks == 100) {
                complete++;
            }
        }
        Percentiles reattach = Percentiles.of(v, n);
        say(String.format("  reattach to first replayed event p50 %.2f ms, p99 %.2f ms, max %.2f ms; %d of %d complete "
                + "with every chunk once; errors %s", reattach.p50(), reattach.p99(), reattach.max(), complete,
                s.results().size(), s.errors()));
        double[] plainCpu = new double[2];
        double[] resumableCpu = new double[2];
        for (int round = 0; round < 2; round++) {
            plainCpu[round] = cpuPerToken(server, plain, waves);
            resumableCpu[round] = cpuPerToken(server, resumable, waves);
        }
        double p = (plainCpu[0] + plainCpu[1]) / 2;
        double r = (resumableCpu[0] + resumableCpu[1]) / 2;
        say(String.format("  server CPU per token at 64 streams: plain %.1f µs (%.1f, %.1f), resumable %.1f µs (%.1f, "
                + "%.1f)", p, plainCpu[0], plainCpu[1], r, resumableCpu[0], resumableCpu[1]));
        return new Turns(s.results().size(), reattach, complete, s.errors(), p, r, 0, Double.NaN);
    }

    private static double cpuPerToken(ServerProcess server, StreamClient client, int waves) {
        long cpu0 = ProcStats.cpuNanos(server.pid());
        Load.Streams s = Load.steady(client, 64, waves, Duration.ofSeconds(2));
        long cpu = ProcStats.cpuNanos(server.pid()) - cpu0;
        return s.chunks() == 0 ? Double.NaN : cpu / 1e3 / s.chunks();
    }

    /**
     * Heap kept per ended turn: a server that keeps logs an hour; heap after a full GC before and after
     * {@code count} more 100-token turns (1 ms apart, 64 at a time), over {@code count}. An upper bound: it counts
     * whatever else a turn leaves in memory too.
     */
    private Kept kept(PacedOllama ollama, int count) throws Exception {
        say("turns kept: heap after a full GC before and after " + count + " more ended turns (logs kept 1 h)");
        ollama.script(new PacedOllama.Script(100, Duration.ofMillis(1), Duration.ZERO));
        try (ServerProcess server = ServerProcess.start(launcher, ollama.baseUrl(), Map.of(
                "CHATSTREAM_RESUME_KEEP_SECONDS", "3600", "CHATSTREAM_RESUME_MEMORY_MB", "4096"))) {
            StreamClient client = new StreamClient(StreamClient.Target.SERVER, server.base, server.token, true);
            Load.steady(client, 64, 8, Duration.ofMillis(200)); // warm: the code paths, the caches, the pools
            long before = server.heapUsedAfterGcBytes();
            Load.Streams s = Load.steady(client, 64, Math.max(1, count / 64), Duration.ofMillis(200));
            long after = server.heapUsedAfterGcBytes();
            int turns = s.results().size();
            Kept k = new Kept(turns, (after - before) / (double) turns);
            say(String.format("  %d turns: %.0f bytes per kept turn (heap %.1f MB -> %.1f MB); errors %s", turns,
                    k.bytesPerTurn(), before / 1048576.0, after / 1048576.0, s.errors()));
            return k;
        }
    }

    /** Heap per kept turn. */
    record Kept(int turns, double bytesPerTurn) {
    }

    private Idle idle(ServerProcess server, StreamClient viaServer, int streams, Duration loading) {
        say("idle: " + streams + " streams opened over ~" + Math.max(1, streams / 1000) + " s while the model "
                + "\"loads\" for " + loading.toSeconds() + " s (heartbeats every 15 s), then 5 tokens each");
        RssSampler rss = new RssSampler(server.pid());
        AtomicLong heap = new AtomicLong(-1);
        AtomicLong idleCpu = new AtomicLong(-1);
        AtomicLong threads = new AtomicLong(-1);
        Thread probe = Thread.ofPlatform().daemon(true).start(() -> {
            sleep(Duration.ofSeconds(streams / 1000 + 8)); // all open, none active
            long c0 = ProcStats.cpuNanos(server.pid());
            long t0 = System.nanoTime();
            sleep(loading.minusSeconds(streams / 1000 + 12));
            // in double: CPU nanos times 1e9 overflows a long past 9.2 s of CPU
            idleCpu.set((long) ((ProcStats.cpuNanos(server.pid()) - c0) * 1e9 / (System.nanoTime() - t0)));
            threads.set(ProcStats.threads(server.pid()));
            heap.set(server.heapUsedBytes());
        });
        Load.Streams s = Load.run(viaServer, streams, 1, 0, 1000);
        try {
            probe.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        double peak = rss.stop() / 1048576.0;
        int every = 15;
        int expected = (int) (loading.toSeconds() / every);
        List<Long> lateness = new ArrayList<>();
        int seen = 0;
        for (StreamClient.Result r : s.results()) {
            for (int k = 0; k < r.pingCount; k++) {
                seen++;
                long from = r.opened != 0 ? r.opened : r.sent; // heartbeats count from the stream's opening
                lateness.add(Math.max(0, r.pings[k] - from - (k + 1) * (long) every * 1_000_000_000L));
            }
        }
        long[] lv = lateness.stream().mapToLong(Long::longValue).toArray();
        int opened = (int) s.results().stream().filter(r -> r.status == 200).count();
        Idle i = new Idle(streams, opened, s.errors(), Percentiles.of(lv, lv.length), expected * streams, seen, peak,
                heap.get() / 1048576.0, idleCpu.get() / 1e6, threads.get());
        say(String.format("  opened %d/%d, pings %d of %d expected, ping lateness p99 %.0f ms, peak RSS %.0f MB, "
                        + "heap used %.0f MB, idle CPU %.1f ms/s, %d threads, errors %s", opened, streams, seen,
                expected * streams, i.pingLateness().p99(), peak, i.heapUsedMb(), i.idleCpuMillisPerSecond(),
                i.threads(), i.errors()));
        return i;
    }

    private void say(String line) {
        System.err.println(line);
    }

    private static void sleep(Duration d) {
        if (d.isNegative() || d.isZero()) {
            return;
        }
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Samples a process's resident memory every 100 ms and keeps the peak. */
    private static final class RssSampler {
        private final AtomicLong peak = new AtomicLong();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread;

        RssSampler(long pid) {
            thread = Thread.ofPlatform().daemon(true).name("rss").start(() -> {
                while (!stop.get()) {
                    try {
                        peak.accumulateAndGet(ProcStats.rssBytes(pid), Math::max);
                    } catch (RuntimeException e) {
                        return;
                    }
                    sleep(Duration.ofMillis(100));
                }
            });
        }

        long stop() {
            stop.set(true);
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return peak.get();
        }
    }

    static String machine() throws IOException {
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .findFirst().map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("?");
        long memKb = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                .findFirst().map(l -> Long.parseLong(l.replaceAll("\\D", ""))).orElse(0L);
        return Runtime.getRuntime().availableProcessors() + " cores (" + cpu + "), " + memKb / 1048576 + " GiB, "
                + "Java " + Runtime.version() + ", " + System.getProperty("os.name") + " " + System.getProperty("os.version");
    }
}
