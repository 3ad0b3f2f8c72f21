package dev.chatstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatstream.ollama.FakeOllama.Reply;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Many streams at once on Grizzly's small worker pool, and many clients that leave: nothing may stay
 * behind. Correctness only; speed is measured by the benchmark module, not here.
 */
class ScaleIT {
    private static final int STREAMS = 1_000;

    private final ServerFixture f = new ServerFixture(env -> {
        env.put("CHATSTREAM_LIMITS_STREAMS_PER_USER", "5000");
        env.put("CHATSTREAM_HEARTBEAT_SECONDS", "2"); // finds the silently gone clients sooner
        env.put("CHATSTREAM_LIMITS_STREAMS_TOTAL", "5000");
        env.put("CHATSTREAM_LIMITS_RATE_BURST", "5000");
        env.put("CHATSTREAM_LIMITS_RATE_PER_MINUTE", "100000");
        return env;
    });

    @AfterEach
    void stop() {
        f.close();
    }

    @Test
    void shouldServeAThousandConcurrentStreams() throws Exception {
        for (int i = 0; i < STREAMS; i++) {
            f.ollama.enqueue(Reply.stream().token("a").pause(Duration.ofSeconds(2)).token("b").done());
        }
        dev.chatstream.http.ChatServer slots = f.server.http();
        AtomicInteger peak = new AtomicInteger();
        List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
        try (var watcher = Executors.newSingleThreadScheduledExecutor()) {
            watcher.scheduleAtFixedRate(() -> peak.accumulateAndGet(slots.streamsOpen(), Math::max), 0, 10,
                    TimeUnit.MILLISECONDS);
            for (int i = 0; i < STREAMS; i++) {
                replies.add(f.client.sendAsync(f.post("api/chat/stream/", f.anaToken, "{\"message\": \"Olá\"}")
                        .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString()));
            }
            CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        }

        long done = replies.stream().map(CompletableFuture::join)
                .filter(r -> r.statusCode() == 200 && r.body().contains("event: done")).count();
        System.out.println(STREAMS + " concurrent streams: " + done + " done, at most " + peak.get() + " open at once");
        assertThat(done).isEqualTo(STREAMS);
        assertThat(peak.get()).as("streams were open at the same time, not one after another")
                .isGreaterThan(STREAMS * 9 / 10);
        assertThat(f.awaitOpenStreams(0)).isZero();
    }

    @Test
    void shouldLeaveNoThreadConnectionOrMemoryBehindAfterAThousandAbortedStreams() throws Exception {
        abortBatch(100); // warm up classes, pools and caches before the baseline
        int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
        long fdsBefore = openFileDescriptors();
        long heapBefore = settledHeap();

        abortBatch(STREAMS);

        awaitQuiet();
        int threadsAfter = ManagementFactory.getThreadMXBean().getThreadCount();
        long fdsAfter = openFileDescriptors();
        long heapAfter = settledHeap();
        System.out.printf("after %d aborted streams: platform threads %d -> %d, file descriptors %d -> %d, heap %d -> %d "
                + "KiB%n", STREAMS, threadsBefore, threadsAfter, fdsBefore, fdsAfter, heapBefore / 1024, heapAfter / 1024);
        assertThat(fdsAfter - fdsBefore).as("file descriptors (sockets) left open").isLessThanOrEqualTo(10);
        assertThat(f.awaitOpenStreams(0)).isZero();
        assertThat(f.server.http().streamsRunning()).isZero();
        assertThat(f.ollama.openConnections()).as("upstream connections").isZero();
        assertThat(threadsAfter).as("platform threads; new ones: %s", threadNames()).isLessThanOrEqualTo(threadsBefore + 4);
        assertThat(heapAfter - heapBefore).as("heap growth in bytes").isLessThan(32L * 1024 * 1024);
    }

    private void abortBatch(int count) throws Exception {
        for (int i = 0; i < count; i++) {
            f.ollama.enqueue(Reply.stream().token("a").stall());
        }
        try (var pool = Executors.newFixedThreadPool(50)) {
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                all.add(CompletableFuture.runAsync(() -> {
                    try (RawClient c = RawClient.post(f, f.anaToken, "{\"message\": \"Olá\"}")) {
                        c.readUntil("\"a\"");
                    }
                }, pool));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        }
        awaitQuiet();
    }

    private void awaitQuiet() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while ((f.server.http().streamsOpen() > 0 || f.ollama.openConnections() > 0)
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    /** This JVM's open file descriptors (server, fake Ollama and clients all live here). */
    private static long openFileDescriptors() throws java.io.IOException {
        try (var fds = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    private static List<String> threadNames() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName).sorted().toList();
    }

    private static long settledHeap() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
