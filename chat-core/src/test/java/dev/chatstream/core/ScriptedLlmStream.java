package dev.chatstream.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A fake {@link LlmStream} that replays a script (text, thinking, tool calls, delays, stalls, failures)
 * on every call, honouring the port contract: waits end at once on cancellation, which it records so a test
 * can assert that cancellation reached "the upstream". For tests and for embedders' tests.
 *
 * <p>Thread-safe; each call replays the script from the start.
 */
public final class ScriptedLlmStream implements LlmStream {
    /** How long a {@link Builder#stall()} waits for cancellation before giving up, so a broken test cannot hang. */
    static final Duration STALL_LIMIT = Duration.ofSeconds(60);

    private sealed interface Step {
        record Emit(LlmDelta delta) implements Step {
        }

        record Delay(Duration duration) implements Step {
        }

        record Fail(ChatException error) implements Step {
        }
    }

    private final List<Step> steps;
    private final Usage usage;
    private final List<LlmRequest> requests = new CopyOnWriteArrayList<>();
    private final List<CountDownLatch> cancels = new CopyOnWriteArrayList<>();
    private final CountDownLatch firstStart = new CountDownLatch(1);

    private ScriptedLlmStream(List<Step> steps, Usage usage) {
        this.steps = List.copyOf(steps);
        this.usage = usage;
    }

    /** A stream that sends these text pieces at once, then ends normally. */
    public static ScriptedLlmStream replying(String... pieces) {
        return script().text(pieces).build();
    }

    /** Starts a script. */
    public static Builder script() {
        return new Builder();
    }

    /** Builds a script step by step. */
    public static final class Builder {
        private final List<Step> steps = new ArrayList<>();
        private Usage usage = new Usage(10, 0, Duration.ofMillis(5), Duration.ZERO, Duration.ofMillis(1),
                Duration.ofMillis(4), "stop");

        private Builder() {
        }

        /** Text pieces, one delta each. */
        public Builder text(String... pieces) {
            for (String p : pieces) {
                steps.add(new Step.Emit(new LlmDelta.Text(p)));
            }
            return this;
        }

        /** Text pieces with a pause before each. */
        public Builder paced(Duration gap, String... pieces) {
            for (String p : pieces) {
                delay(gap);
                text(p);
            }
            return this;
        }

        /** A piece of reasoning. */
        public Builder thinking(String piece) {
            steps.add(new Step.Emit(new LlmDelta.Thinking(piece)));
            return this;
        }

        /** A native tool call. */
        public Builder toolCall(Action action) {
            steps.add(new Step.Emit(new LlmDelta.ToolCall(action)));
            return this;
        }

        /** A pause (a model load, a slow token); cancellation ends it at once. */
        public Builder delay(Duration duration) {
            steps.add(new Step.Delay(duration));
            return this;
        }

        /** Waits until cancelled (or {@link #STALL_LIMIT}, then fails with a timeout). */
        public Builder stall() {
            steps.add(new Step.Delay(STALL_LIMIT));
            steps.add(new Step.Fail(new TransientException(ErrorCode.LLM_TIMEOUT,
                    "The scripted stall was never cancelled")));
            return this;
        }

        /** Fails with {@code error} at this point. */
        public Builder fail(ChatException error) {
            steps.add(new Step.Fail(error));
            return this;
        }

        /** The usage returned at the end. */
        public Builder usage(Usage value) {
            usage = value;
            return this;
        }

        /** The fake. */
        public ScriptedLlmStream build() {
            return new ScriptedLlmStream(steps, usage);
        }
    }

    @Override
    public Usage stream(LlmRequest request, LlmListener listener, Cancellation cancellation) {
        cancellation.throwIfCancelled(); // never "contacts the upstream" when already cancelled
        requests.add(request);
        CountDownLatch cancelled = new CountDownLatch(1);
        cancels.add(cancelled);
        firstStart.countDown();
        try (Cancellation.Registration ignored = cancellation.onCancel(cancelled::countDown)) {
            for (Step step : steps) {
                cancellation.throwIfCancelled();
                switch (step) {
                    case Step.Emit emit -> listener.onDelta(emit.delta());
                    case Step.Delay delay -> {
                        if (await(cancelled, delay.duration())) {
                            cancellation.throwIfCancelled();
                        }
                    }
                    case Step.Fail fail -> throw fail.error();
                }
            }
            cancellation.throwIfCancelled();
            return usage;
        }
    }

    /** The usage every completed call returns. */
    public Usage usage() {
        return usage;
    }

    /** Every request received, in order. */
    public List<LlmRequest> requests() {
        return List.copyOf(requests);
    }

    /** The last request received. */
    public LlmRequest lastRequest() {
        if (requests.isEmpty()) {
            throw new AssertionError("the scripted LLM received no request");
        }
        return requests.get(requests.size() - 1);
    }

    /** Waits until a call has started. */
    public boolean awaitStarted(Duration timeout) {
        return await(firstStart, timeout);
    }

    /** Waits until the cancellation of the latest call has reached this fake. */
    public boolean awaitCancelled(Duration timeout) {
        if (cancels.isEmpty()) {
            return false;
        }
        return await(cancels.get(cancels.size() - 1), timeout);
    }

    private static boolean await(CountDownLatch latch, Duration timeout) {
        try {
            return latch.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StreamCancelledException("Interrupted");
        }
    }
}
