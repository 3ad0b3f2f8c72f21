package dev.chatstream.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/** Runs waves of concurrent streams and sums up what they saw. */
final class Load {
    private static final AtomicInteger TAGS = new AtomicInteger();

    private Load() {
    }

    /** Every stream of a run, with the tags they were sent with. */
    record Streams(List<StreamClient.Result> results, List<Integer> tags) {
        Percentiles firstChunk() {
            long[] v = new long[results.size()];
            int n = 0;
            for (StreamClient.Result r : results) {
                if (r.firstChunk != 0) {
                    v[n++] = r.firstChunk - r.sent;
                }
            }
            return Percentiles.of(v, n);
        }

        double meanFirstChunkMillis() {
            return results.stream().filter(r -> r.firstChunk != 0).mapToLong(r -> r.firstChunk - r.sent).average()
                    .orElse(Double.NaN) / 1e6;
        }

        Percentiles gaps() {
            int total = results.stream().mapToInt(r -> r.gapCount).sum();
            long[] v = new long[total];
            int n = 0;
            for (StreamClient.Result r : results) {
                System.arraycopy(r.gaps, 0, v, n, r.gapCount);
                n += r.gapCount;
            }
            return Percentiles.of(v, n);
        }

        long chunks() {
            return results.stream().mapToLong(r -> r.chunks).sum();
        }

        /** Outcome to count, for the ones that are not a normal end. */
        Map<String, Integer> errors() {
            Map<String, Integer> out = new TreeMap<>();
            for (StreamClient.Result r : results) {
                if (!r.ok()) {
                    out.merge(r.outcome, 1, Integer::sum);
                }
            }
            return out;
        }

        int errorCount() {
            return errors().values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    /**
     * A closed loop: {@code concurrency} workers, each running {@code perWorker} streams back to back, their
     * first starts spread evenly over {@code stagger} (about one stream's length), so that {@code concurrency}
     * streams are open at any moment and new ones start all the time, as with that many users.
     */
    static Streams steady(StreamClient client, int concurrency, int perWorker, Duration stagger) {
        return steady(client, concurrency, perWorker, stagger, 0);
    }

    /** {@link #steady} where every stream closes its connection after {@code abortAfter} chunks (0: never). */
    static Streams steady(StreamClient client, int concurrency, int perWorker, Duration stagger, int abortAfter) {
        return steady(tag -> client.run(tag, abortAfter), concurrency, perWorker, stagger);
    }

    /** One stream of a worker, for its tag. */
    @FunctionalInterface
    interface Runner {
        StreamClient.Result run(int tag);
    }

    /** {@link #steady} with each stream run by {@code runner} (e.g. one that loses its connection and reattaches). */
    static Streams steady(Runner runner, int concurrency, int perWorker, Duration stagger) {
        StreamClient.Result[][] results = new StreamClient.Result[concurrency][perWorker];
        int[][] tags = new int[concurrency][perWorker];
        List<Thread> threads = new ArrayList<>(concurrency);
        for (int i = 0; i < concurrency; i++) {
            int worker = i;
            long offset = stagger.toNanos() * i / concurrency;
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(Duration.ofNanos(offset));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int k = 0; k < perWorker; k++) {
                    tags[worker][k] = TAGS.incrementAndGet();
                    results[worker][k] = runner.run(tags[worker][k]);
                }
            }));
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        List<StreamClient.Result> all = new ArrayList<>();
        List<Integer> allTags = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            for (int k = 0; k < perWorker; k++) {
                all.add(results[i][k]);
                allTags.add(tags[i][k]);
            }
        }
        return new Streams(all, allTags);
    }

    /**
     * {@code waves} rounds of {@code concurrency} streams started together (each on a virtual thread); a round
     * starts when the last one ended. {@code rampPerSecond > 0} spreads the starts of one round.
     */
    static Streams run(StreamClient client, int concurrency, int waves, int abortAfter, int rampPerSecond) {
        List<StreamClient.Result> all = new ArrayList<>();
        List<Integer> tags = new ArrayList<>();
        for (int w = 0; w < waves; w++) {
            StreamClient.Result[] results = new StreamClient.Result[concurrency];
            int[] waveTags = new int[concurrency];
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>(concurrency);
            long waveStart = System.nanoTime();
            for (int i = 0; i < concurrency; i++) {
                int slot = i;
                waveTags[i] = TAGS.incrementAndGet();
                long startAt = rampPerSecond > 0 ? waveStart + (long) (i * 1e9 / rampPerSecond) : 0;
                threads.add(Thread.ofVirtual().start(() -> {
                    try {
                        go.await();
                        if (startAt > 0) {
                            long wait = startAt - System.nanoTime();
                            if (wait > 0) {
                                Thread.sleep(Duration.ofNanos(wait));
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    results[slot] = client.run(waveTags[slot], abortAfter);
                }));
            }
            go.countDown();
            for (Thread t : threads) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            for (int i = 0; i < concurrency; i++) {
                all.add(results[i]);
                tags.add(waveTags[i]);
            }
        }
        return new Streams(all, tags);
    }
}
