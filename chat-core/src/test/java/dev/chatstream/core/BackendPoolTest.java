package dev.chatstream.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The pool's routing, health and failover, over scripted backends and a fake clock. */
class BackendPoolTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final List<CountDownLatch> holds = new CopyOnWriteArrayList<>();
    /** Each request on a thread of its own (the common pool has one worker on a 2-core machine). */
    private final java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();

    @AfterEach
    void releaseHeldReplies() {
        holds.forEach(CountDownLatch::countDown);
        threads.shutdownNow();
    }

    /** A backend whose each answer is the next behaviour queued, else {@link #otherwise}. */
    private final class Fake implements LlmStream {
        final String name;
        final ConcurrentLinkedQueue<Function<LlmListener, Usage>> next = new ConcurrentLinkedQueue<>();
        volatile Function<LlmListener, Usage> otherwise;
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger probes = new AtomicInteger();
        volatile boolean probeOk = true;
        final List<String> models = new CopyOnWriteArrayList<>();

        Fake(String name) {
            this.name = name;
            this.otherwise = replying(name);
        }

        @Override
        public Usage stream(LlmRequest request, LlmListener listener, Cancellation cancellation) {
            calls.incrementAndGet();
            models.add(request.options().modelOverride().orElse(""));
            Function<LlmListener, Usage> behaviour = next.poll();
            return (behaviour != null ? behaviour : otherwise).apply(listener);
        }

        HealthCheck probe() {
            return () -> {
                probes.incrementAndGet();
                return probeOk ? Health.ok(Map.of()) : Health.problem(Map.of(), name + " still down", Optional.empty());
            };
        }

        BackendPool.Backend backend(int weight, int cap) {
            return new BackendPool.Backend(name, this, weight, cap, probe());
        }
    }

    private static Function<LlmListener, Usage> replying(String text) {
        return listener -> {
            listener.onDelta(new LlmDelta.Text(text));
            return Usage.unknown();
        };
    }

    private static Function<LlmListener, Usage> failing(ErrorCode code) {
        return listener -> {
            throw code.retryable() ? new TransientException(code, code.code() + " from the backend")
                    : new UpstreamException(code, code.code() + " from the backend");
        };
    }

    /** Replies "held" once {@code release} counts down; until then it holds a slot. */
    private Function<LlmListener, Usage> held(CountDownLatch started, CountDownLatch release, String text) {
        holds.add(release);
        return listener -> {
            started.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            listener.onDelta(new LlmDelta.Text(text));
            return Usage.unknown();
        };
    }

    private BackendPool pool(BackendPool.Limits limits, BackendPool.Backend... backends) {
        return new BackendPool(List.of(backends), limits, now::get);
    }

    private BackendPool pool(BackendPool.Backend... backends) {
        return pool(BackendPool.Limits.defaults(), backends);
    }

    /** Starts a request that holds {@code backend}'s one slot (until {@code release}, or the test's end). */
    private CompletableFuture<String> holdTheSlot(BackendPool pool, Fake backend, CountDownLatch release)
            throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        backend.next.add(held(started, release, "first"));
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> ask(pool), threads);
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        return first;
    }

    /** Waits up to 5 s for {@code condition}. */
    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
    }

    private static LlmRequest request() {
        return new LlmRequest(List.of(ChatMessage.user("Olá")), ChatOptions.defaults());
    }

    private static String ask(BackendPool pool) {
        StringBuilder text = new StringBuilder();
        pool.stream(request(), d -> text.append(((LlmDelta.Text) d).text()), new Cancellation());
        return text.toString();
    }

    @Test
    void shouldSendEachRequestToTheBackendWithTheFewestInFlightForItsWeight() throws Exception {
        Fake small = new Fake("small");
        Fake big = new Fake("big");
        BackendPool pool = pool(small.backend(1, 0), big.backend(2, 0));
        CountDownLatch started = new CountDownLatch(3);
        CountDownLatch release = new CountDownLatch(1);
        small.otherwise = held(started, release, "small");
        big.otherwise = held(started, release, "big");
        List<CompletableFuture<String>> running = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            running.add(CompletableFuture.supplyAsync(() -> ask(pool), threads));
            int inFlight = i;
            await(() -> pool.status().stream().mapToInt(BackendPool.Status::inFlight).sum() >= inFlight);
        }
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();

        assertThat(pool.status()).extracting(BackendPool.Status::inFlight).containsExactly(1, 2);
        release.countDown();
        assertThat(running.stream().map(CompletableFuture::join).sorted().toList()).containsExactly("big", "big", "small");
    }

    @Test
    void shouldPreferTheBackendWhoseFirstTokensComeSooner() {
        Fake fast = new Fake("fast");
        Fake slow = new Fake("slow");
        slow.otherwise = listener -> {
            now.addAndGet(Duration.ofMillis(500).toNanos()); // its first token takes 500 ms
            listener.onDelta(new LlmDelta.Text("slow"));
            return Usage.unknown();
        };
        fast.otherwise = listener -> {
            now.addAndGet(Duration.ofMillis(5).toNanos());
            listener.onDelta(new LlmDelta.Text("fast"));
            return Usage.unknown();
        };
        BackendPool pool = pool(slow.backend(1, 0), fast.backend(1, 0));

        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            answers.add(ask(pool));
        }

        assertThat(answers.subList(0, 2)).as("each is measured once").containsExactlyInAnyOrder("slow", "fast");
        assertThat(answers.subList(2, 10)).containsOnly("fast");
        assertThat(pool.status().get(0).firstTokenAverage()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void shouldFailOverInvisiblyThenCoolDownProbeAndUseARefusingBackendAgain() {
        Fake down = new Fake("down");
        Fake up = new Fake("up");
        down.otherwise = failing(ErrorCode.LLM_UNAVAILABLE);
        down.probeOk = false;
        BackendPool pool = pool(new BackendPool.Limits(1, Duration.ofSeconds(5), Duration.ofMinutes(5),
                Duration.ofMinutes(1), 64, Duration.ofSeconds(30)), down.backend(1, 0), up.backend(1, 0));

        for (int i = 0; i < 6; i++) {
            assertThat(ask(pool)).as("request %d", i).isEqualTo("up");
        }
        assertThat(down.calls).as("its failure cools it down").hasValue(1);
        assertThat(pool.status().get(0).state()).isEqualTo(BackendPool.State.COOLING_DOWN);
        assertThat(pool.status().get(0).lastProblem()).isEqualTo("llm_unavailable from the backend");

        now.addAndGet(Duration.ofSeconds(5).toNanos()); // the first cooldown ends: probed, still down
        assertThat(ask(pool)).isEqualTo("up");
        assertThat(down.probes).hasValue(1);
        assertThat(down.calls).as("no traffic before a probe passes").hasValue(1);

        now.addAndGet(Duration.ofSeconds(5).toNanos()); // the second cooldown is 10 s: not probed yet
        assertThat(ask(pool)).isEqualTo("up");
        assertThat(down.probes).hasValue(1);

        down.probeOk = true;
        down.otherwise = replying("down-again-up");
        now.addAndGet(Duration.ofSeconds(5).toNanos());
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            answers.add(ask(pool));
        }
        assertThat(down.probes).hasValue(2);
        assertThat(answers).contains("down-again-up");
        assertThat(pool.status().get(0).state()).isEqualTo(BackendPool.State.UP);
    }

    @Test
    void shouldCoolDownAfterTheConfiguredFailuresInARowOnlyAndSaySo() {
        Fake only = new Fake("only");
        only.otherwise = failing(ErrorCode.LLM_UNAVAILABLE);
        BackendPool pool = pool(only.backend(1, 0));

        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> ask(pool)).hasMessage("llm_unavailable from the backend");
            assertThat(pool.status().get(0).state()).isEqualTo(BackendPool.State.UP);
        }
        assertThatThrownBy(() -> ask(pool)).hasMessage("llm_unavailable from the backend");
        assertThat(pool.status().get(0).state()).isEqualTo(BackendPool.State.COOLING_DOWN);

        assertThatThrownBy(() -> ask(pool)).hasMessage("No LLM backend could answer — only: cooling down for 5 s "
                + "after failing (llm_unavailable from the backend)")
                .satisfies(e -> assertThat(((ChatException) e).code()).isEqualTo(ErrorCode.LLM_UNAVAILABLE));
        assertThat(only.calls).hasValue(3);
    }

    @Test
    void shouldPreferABackendThatDidNotJustFail() {
        Fake flaky = new Fake("flaky");
        Fake steady = new Fake("steady");
        flaky.next.add(failing(ErrorCode.LLM_UNAVAILABLE));
        BackendPool pool = pool(flaky.backend(1, 0), steady.backend(1, 0));

        assertThat(ask(pool)).isEqualTo("steady");
        assertThat(ask(pool)).isEqualTo("steady");
        assertThat(flaky.calls).hasValue(1);
    }

    @Test
    void shouldEndAReplyThatBrokeAfterItsFirstDeltaWithItsErrorAndNeverRetryIt() {
        Fake broken = new Fake("broken");
        Fake other = new Fake("other");
        broken.next.add(listener -> {
            listener.onDelta(new LlmDelta.ToolCall(new Action("homeassistant_call_service", Map.of("domain", "lock"))));
            throw new TransientException(ErrorCode.LLM_UNAVAILABLE, "broke mid-reply");
        });
        BackendPool pool = pool(broken.backend(1, 0), other.backend(1, 0));
        List<LlmDelta> seen = new ArrayList<>();

        assertThatThrownBy(() -> pool.stream(request(), seen::add, new Cancellation()))
                .hasMessage("broke mid-reply");

        assertThat(seen).as("the action once, from the one backend").hasSize(1);
        assertThat(other.calls).hasValue(0);
        assertThat(ask(pool)).as("the next request goes to the one that did not just fail").isEqualTo("other");
    }

    @Test
    void shouldNameEveryBackendWhenAllAreDown() {
        Fake a = new Fake("gpu1");
        Fake b = new Fake("gpu2");
        a.otherwise = failing(ErrorCode.LLM_UNAVAILABLE);
        b.otherwise = failing(ErrorCode.LLM_TIMEOUT);
        BackendPool pool = pool(a.backend(1, 0), b.backend(1, 0));

        assertThatThrownBy(() -> ask(pool)).isInstanceOf(TransientException.class)
                .hasMessage("No LLM backend could answer — gpu1: llm_unavailable from the backend; gpu2: "
                        + "llm_timeout from the backend")
                .satisfies(e -> assertThat(((ChatException) e).code()).isEqualTo(ErrorCode.LLM_TIMEOUT));
        ask(pool, 2);
        assertThatThrownBy(() -> ask(pool)).hasMessage("No LLM backend could answer — gpu1: cooling down for 5 s after "
                + "failing (llm_unavailable from the backend); gpu2: cooling down for 5 s after failing (llm_timeout "
                + "from the backend)");
    }

    private static void ask(BackendPool pool, int times) {
        for (int i = 0; i < times; i++) {
            try {
                ask(pool);
            } catch (ChatException expected) {
                // counted
            }
        }
    }

    @Test
    void shouldPassOneBackendsOwnFailureOnUnchanged() {
        Fake only = new Fake("only");
        TransientException own = new TransientException(ErrorCode.LLM_BUSY, "busy", Duration.ofSeconds(7));
        only.next.add(listener -> {
            throw own;
        });
        BackendPool pool = pool(only.backend(1, 0));

        assertThatThrownBy(() -> ask(pool)).isSameAs(own);
    }

    @Test
    void shouldQueueWhenAllAreAtTheirCapAndServeWhenOneFrees() throws Exception {
        Fake a = new Fake("a");
        BackendPool pool = pool(a.backend(1, 1));
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<String> first = holdTheSlot(pool, a, release);

        List<Integer> queued = new CopyOnWriteArrayList<>();
        StringBuilder text = new StringBuilder();
        CompletableFuture<Void> second = CompletableFuture.runAsync(() -> pool.stream(request(), new LlmListener() {
            @Override
            public void onDelta(LlmDelta delta) {
                text.append(((LlmDelta.Text) delta).text());
            }

            @Override
            public void onQueued(int position) {
                queued.add(position);
            }
        }, new Cancellation()), threads);
        // the request joins the line (waiting) and then, outside the pool's lock, says so (onQueued): wait for both
        await(() -> pool.waiting() > 0 && !queued.isEmpty());
        assertThat(pool.waiting()).isEqualTo(1);
        assertThat(queued).containsExactly(1);

        release.countDown();
        second.get(5, TimeUnit.SECONDS);
        assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("first");
        assertThat(text).hasToString("a");
        assertThat(pool.waiting()).isZero();
    }

    @Test
    void shouldSayServerBusyWhenTheLineIsFull() throws Exception {
        Fake a = new Fake("a");
        BackendPool pool = pool(new BackendPool.Limits(3, Duration.ofSeconds(5), Duration.ofMinutes(5),
                Duration.ofMinutes(1), 0, Duration.ofSeconds(30)), a.backend(1, 1));
        holdTheSlot(pool, a, new CountDownLatch(1));

        assertThatThrownBy(() -> ask(pool)).hasMessageContaining("Every LLM backend (a) is answering as many replies")
                .satisfies(e -> assertThat(((ChatException) e).code()).isEqualTo(ErrorCode.SERVER_BUSY));
    }

    @Test
    void shouldGiveUpWaitingWhenTheWaitRunsOut() throws Exception {
        Fake a = new Fake("a");
        BackendPool pool = pool(new BackendPool.Limits(3, Duration.ofSeconds(5), Duration.ofMinutes(5),
                Duration.ofMinutes(1), 8, Duration.ofSeconds(30)), a.backend(1, 1));
        holdTheSlot(pool, a, new CountDownLatch(1));

        CompletableFuture<String> waiting = CompletableFuture.supplyAsync(() -> ask(pool), threads);
        await(() -> pool.waiting() > 0);
        now.addAndGet(Duration.ofSeconds(31).toNanos());

        assertThatThrownBy(() -> waiting.get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(TransientException.class).hasMessageContaining("took too long");
        assertThat(pool.waiting()).isZero();
    }

    @Test
    void shouldStopWaitingAtOnceWhenCancelled() throws Exception {
        Fake a = new Fake("a");
        BackendPool pool = pool(a.backend(1, 1));
        holdTheSlot(pool, a, new CountDownLatch(1));
        Cancellation cancellation = new Cancellation();
        CompletableFuture<Void> waiting = CompletableFuture.runAsync(
                () -> pool.stream(request(), d -> { }, cancellation), threads);
        await(() -> pool.waiting() > 0);

        cancellation.cancel("Stopped");

        assertThatThrownBy(() -> waiting.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(StreamCancelledException.class);
        assertThat(pool.waiting()).isZero();
        assertThat(a.calls).hasValue(1);
    }

    @Test
    void shouldSkipABackendForAModelItLacksOnly() {
        Fake lacks = new Fake("lacks");
        Fake has = new Fake("has");
        lacks.next.add(failing(ErrorCode.MODEL_NOT_FOUND));
        BackendPool pool = pool(lacks.backend(1, 0), has.backend(1, 0));
        LlmRequest qwen = new LlmRequest(List.of(ChatMessage.user("Olá")), ChatOptions.defaults().withModel("qwen"));

        for (int i = 0; i < 3; i++) {
            StringBuilder text = new StringBuilder();
            pool.stream(qwen, d -> text.append(((LlmDelta.Text) d).text()), new Cancellation());
            assertThat(text).hasToString("has");
        }
        assertThat(lacks.models).containsExactly("qwen");
        assertThat(pool.status().get(0).state()).isEqualTo(BackendPool.State.UP);

        List<String> other = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            other.add(ask(pool));
        }
        assertThat(other).as("other models still go there").contains("lacks");
    }

    @Test
    void shouldNeitherRetryNorCountARequestTheBackendRejected() {
        Fake a = new Fake("a");
        Fake b = new Fake("b");
        a.otherwise = failing(ErrorCode.LLM_REJECTED);
        b.otherwise = failing(ErrorCode.LLM_REJECTED);
        BackendPool pool = pool(a.backend(1, 0), b.backend(1, 0));

        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> ask(pool)).hasMessage("llm_rejected from the backend");
        }

        assertThat(a.calls.get() + b.calls.get()).as("one call per request").isEqualTo(5);
        assertThat(pool.status()).extracting(BackendPool.Status::state).containsOnly(BackendPool.State.UP);
    }

    /** A backend that lists {@code models} (null: cannot be asked) and names {@code configured}. */
    private static LlmStream listing(List<String> models, Optional<String> configured) {
        return new LlmStream() {
            @Override
            public Usage stream(LlmRequest request, LlmListener listener, Cancellation cancellation) {
                return Usage.unknown();
            }

            @Override
            public List<String> models() {
                if (models == null) {
                    throw new TransientException(ErrorCode.LLM_UNAVAILABLE, "down");
                }
                return models;
            }

            @Override
            public Optional<String> configuredModel() {
                return configured;
            }
        };
    }

    @Test
    void shouldListEveryUpBackendsModelsOnceAndFailOnlyWhenNoneAnswers() {
        LlmStream a = listing(List.of("llama3.2:latest", "qwen"), Optional.of("llama3.2"));
        LlmStream b = listing(List.of("qwen", "mistral"), Optional.empty());
        LlmStream down = listing(null, Optional.empty());
        HealthCheck ok = () -> Health.ok(Map.of());

        BackendPool pool = pool(new BackendPool.Backend("a", a, 1, 0, ok), new BackendPool.Backend("down", down, 1, 0, ok),
                new BackendPool.Backend("b", b, 1, 0, ok));

        assertThat(pool.models()).containsExactly("llama3.2:latest", "qwen", "mistral");
        assertThat(pool.configuredModel()).contains("llama3.2");
        assertThatThrownBy(() -> pool(new BackendPool.Backend("down", down, 1, 0, ok)).models()).hasMessage("down");
    }

    @Test
    void shouldPublishEachBackendsFigures() {
        Fake a = new Fake("gpu1");
        a.next.add(failing(ErrorCode.LLM_TIMEOUT));
        Fake b = new Fake("gpu2");
        BackendPool pool = pool(a.backend(1, 0), b.backend(1, 0));
        ask(pool);
        Map<String, Double> figures = new java.util.TreeMap<>();
        pool.describeTo(new Meters() {
            @Override
            public void counter(String name, String help, Map<String, String> tags, java.util.function.DoubleSupplier v) {
                figures.put(name + new java.util.TreeMap<>(tags), v.getAsDouble());
            }

            @Override
            public void gauge(String name, String help, Map<String, String> tags, java.util.function.DoubleSupplier v) {
                figures.put(name + new java.util.TreeMap<>(tags), v.getAsDouble());
            }
        });

        assertThat(figures).containsEntry("chatstream.llm.backend.errors{backend=gpu1, code=llm_timeout}", 1.0)
                .containsEntry("chatstream.llm.backend.errors{backend=gpu2, code=llm_timeout}", 0.0)
                .containsEntry("chatstream.llm.backend.up{backend=gpu1}", 1.0)
                .containsEntry("chatstream.llm.backend.in.flight{backend=gpu2}", 0.0)
                .containsEntry("chatstream.llm.pool.waiting{}", 0.0);
    }
}
