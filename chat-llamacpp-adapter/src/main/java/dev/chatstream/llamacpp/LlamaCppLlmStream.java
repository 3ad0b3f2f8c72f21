package dev.chatstream.llamacpp;

import dev.chatstream.core.Cancellation;
import dev.chatstream.core.ChatException;
import dev.chatstream.core.ErrorCode;
import dev.chatstream.core.LlmDelta;
import dev.chatstream.core.LlmListener;
import dev.chatstream.core.LlmRequest;
import dev.chatstream.core.LlmStream;
import dev.chatstream.core.StreamCancelledException;
import dev.chatstream.core.TransientException;
import dev.chatstream.core.UpstreamException;
import dev.chatstream.core.Usage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link LlmStream} over llama.cpp in this JVM: one GGUF model, loaded once and shared; {@code parallel} replies
 * are generated at once on threads of their own, and further requests wait in line ({@link #waiting()},
 * {@link #queueWaitNanos()}). The prompt is built with the model's own chat template. Text only: no thinking,
 * no native tool calls (ACTION lines work as with any model).
 *
 * <p>Cancellation returns at once; the generating thread stops after at most one more token and frees its
 * slot (llama.cpp-java's cancel does not wake a thread waiting for a token: kherud/java-llama.cpp #102, #116).
 * {@link #close} ends every reply, waits a bounded time for the slot threads and only then unloads the model.
 * Thread-safe.
 */
public final class LlamaCppLlmStream implements LlmStream, AutoCloseable {
    private static final byte[] GGUF_MAGIC = {'G', 'G', 'U', 'F'};

    private final LlamaEngine engine;
    private final LlamaCppConfig config;
    private final ExecutorService slots;
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicLong waitedNanos = new AtomicLong();
    private final java.util.Set<Turn> turns = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Duration closeWait;
    private volatile boolean closed;

    /** How long {@link #close} waits for the slot threads to leave llama.cpp. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(10);
    private static final System.Logger LOG = System.getLogger(LlamaCppLlmStream.class.getName());

    LlamaCppLlmStream(LlamaEngine engine, LlamaCppConfig config) {
        this(engine, config, CLOSE_WAIT);
    }

    LlamaCppLlmStream(LlamaEngine engine, LlamaCppConfig config, Duration closeWait) {
        this.engine = engine;
        this.config = config;
        this.closeWait = closeWait;
        this.slots = Executors.newFixedThreadPool(config.parallel(),
                Thread.ofPlatform().name("llamacpp-slot-", 0).daemon(true).factory());
    }

    /**
     * Loads the model (once; it is shared by every request).
     *
     * @throws IllegalArgumentException when the file is missing, unreadable or not a GGUF model, saying which
     */
    public static LlamaCppLlmStream open(LlamaCppConfig config) {
        checkModelFile(config.model());
        try {
            return new LlamaCppLlmStream(new JllamaEngine(config), config);
        } catch (RuntimeException | LinkageError e) {
            throw new IllegalArgumentException("llama.cpp could not load " + config.model() + ": " + e.getMessage(), e);
        }
    }

    static void checkModelFile(Path model) {
        if (!Files.isRegularFile(model)) {
            throw new IllegalArgumentException("The model file " + model + " does not exist; download a GGUF model "
                    + "and set llamacpp.model to its path");
        }
        byte[] head = new byte[4];
        try (InputStream in = Files.newInputStream(model)) {
            if (in.readNBytes(head, 0, 4) < 4 || !java.util.Arrays.equals(head, GGUF_MAGIC)) {
                throw new IllegalArgumentException("The file " + model + " is not a GGUF model (it does not start "
                        + "with GGUF); llama.cpp needs a .gguf file");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read the model file " + model + ": " + e.getMessage(), e);
        }
    }

    /** Requests waiting for a free slot now. */
    public int waiting() {
        return waiting.get();
    }

    /** Total time requests have waited for a slot, in nanoseconds (a counter: rate it for the mean wait). */
    public long queueWaitNanos() {
        return waitedNanos.get();
    }

    /** The model file. */
    public Path model() {
        return config.model();
    }

    /**
     * A slot's share of the context ({@code contextSize / parallel}): a longer prompt would be cut from the front
     * by llama.cpp's context shift, system prompt first, so the core fits the prompt to this.
     */
    @Override
    public java.util.OptionalInt contextTokens(dev.chatstream.core.ChatOptions options) {
        return java.util.OptionalInt.of(config.contextSize() / config.parallel());
    }

    /** {@code llamacpp.max.tokens}: every reply stops there. */
    @Override
    public java.util.OptionalInt replyTokens(dev.chatstream.core.ChatOptions options) {
        return java.util.OptionalInt.of(config.maxTokens());
    }

    /** The one model it runs: its file's name. */
    @Override
    public java.util.List<String> models() {
        return java.util.List.of(config.model().getFileName().toString());
    }

    /** The one model it runs: its file's name. */
    @Override
    public java.util.Optional<String> configuredModel() {
        return java.util.Optional.of(config.model().getFileName().toString());
    }

    @Override
    public Usage stream(LlmRequest request, LlmListener listener, Cancellation cancellation) {
        cancellation.throwIfCancelled();
        request.options().modelOverride().ifPresent(this::checkModelName);
        Turn turn = new Turn(request);
        turns.add(turn);
        try {
            if (closed) {
                throw closing();
            }
            long queuedAt = System.nanoTime();
            waiting.incrementAndGet();
            try {
                slots.execute(() -> turn.run(queuedAt));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                waiting.decrementAndGet();
                throw closing();
            }
            return follow(turn, listener, cancellation);
        } finally {
            turns.remove(turn);
        }
    }

    private static TransientException closing() {
        return new TransientException(ErrorCode.LLM_UNAVAILABLE, "The server is stopping: llama.cpp stopped this "
                + "reply; try again once it is back");
    }

    private Usage follow(Turn turn, LlmListener listener, Cancellation cancellation) {
        try (Cancellation.Registration ignored = cancellation.onCancel(turn::stop)) {
            while (true) {
                Object item = turn.take();
                if (cancellation.isCancelled()) {
                    turn.stop();
                    throw new StreamCancelledException(cancellation.reason() == null ? "cancelled" : cancellation.reason());
                }
                if (turn.failure != null) {
                    throw turn.failure; // closing: ahead of whatever is still queued
                }
                if (item == Turn.WAKE) {
                    continue;
                }
                switch (item) {
                    case String piece -> {
                        try {
                            listener.onDelta(new LlmDelta.Text(piece));
                        } catch (RuntimeException e) {
                            turn.stop();
                            throw e;
                        }
                    }
                    case Usage usage -> {
                        return usage;
                    }
                    case ChatException failure -> throw failure;
                    default -> throw new IllegalStateException("unexpected " + item);
                }
            }
        }
    }

    private void checkModelName(String wanted) {
        String file = config.model().getFileName().toString();
        if (!wanted.equals(file) && !wanted.equals(file.replaceFirst("\\.gguf$", ""))) {
            throw new UpstreamException(ErrorCode.MODEL_NOT_FOUND, "This server runs the llama.cpp model " + file
                    + " and cannot switch to \"" + wanted + "\"; leave the model out");
        }
    }

    /** One request: filled by its slot's thread, emptied by the caller's. */
    private final class Turn {
        private static final Object WAKE = new Object();

        private final LlmRequest request;
        private final BlockingQueue<Object> out = new LinkedBlockingQueue<>();
        private volatile boolean stopped;
        private volatile ChatException failure;
        private volatile LlamaEngine.Generation generation;

        Turn(LlmRequest request) {
            this.request = request;
        }

        void run(long queuedAt) {
            long start = System.nanoTime();
            waiting.decrementAndGet();
            waitedNanos.addAndGet(start - queuedAt);
            if (stopped) {
                return;
            }
            try {
                String prompt = engine.prompt(request.messages());
                LlamaEngine.Generation g = engine.generate(prompt, config.maxTokens(), config.temperature());
                StringBuilder text = new StringBuilder();
                generation = g;
                if (stopped) {
                    g.stop();
                }
                long firstAt = 0;
                for (String piece = g.next(); piece != null; piece = g.next()) {
                    if (piece.isEmpty()) {
                        continue; // llama.cpp's last output may carry no text: not a delta
                    }
                    if (firstAt == 0) {
                        firstAt = System.nanoTime();
                    }
                    text.append(piece);
                    out.add(piece);
                }
                if (!stopped) {
                    long end = System.nanoTime();
                    // the tokens the model generated, as llama.cpp counted them (issue 27 item 9: re-tokenizing the
                    // text counted 513 with a limit of 512, and 77 with 64 on the test model)
                    out.add(new Usage(engine.tokenCount(prompt), g.tokens(),
                            Duration.ofNanos(end - queuedAt), Duration.ofNanos(start - queuedAt),
                            Duration.ofNanos((firstAt == 0 ? end : firstAt) - start),
                            Duration.ofNanos(firstAt == 0 ? 0 : end - firstAt),
                            g.tokens() >= config.maxTokens() ? Usage.LENGTH : "stop"));
                }
            } catch (RuntimeException e) {
                out.add(new UpstreamException(ErrorCode.LLM_FAILED, "llama.cpp failed while answering: "
                        + e.getMessage(), e));
            }
        }

        Object take() {
            try {
                return out.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop();
                throw new StreamCancelledException("interrupted");
            }
        }

        void stop() {
            stopped = true;
            LlamaEngine.Generation g = generation;
            if (g != null) {
                g.stop();
            }
            out.add(WAKE);
        }

        /** Stops the turn and ends its caller's wait with {@code failure}. */
        void fail(ChatException why) {
            failure = why;
            stop();
        }
    }

    /**
     * Stops every reply (each ends with {@code llm_unavailable}; requests waiting for a slot too), waits up to
     * {@link #CLOSE_WAIT} for the slot threads, then unloads the model. A thread still inside llama.cpp after that
     * (a model that stalled: llama.cpp-java cannot wake it) keeps the model loaded until the process exits, rather
     * than freeing memory under a running thread; a warning says so.
     */
    @Override
    public void close() {
        closed = true;
        for (Turn turn : turns) {
            turn.fail(closing());
        }
        slots.shutdown();
        boolean ended;
        try {
            ended = slots.awaitTermination(closeWait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ended = false;
        }
        if (ended) {
            engine.close();
        } else {
            LOG.log(System.Logger.Level.WARNING, "llama.cpp: a reply's thread is still inside the model "
                    + closeWait.toSeconds() + " s after it was stopped (llama.cpp-java cannot wake it: "
                    + "kherud/java-llama.cpp #102); the model stays loaded until the process exits");
        }
    }
}
