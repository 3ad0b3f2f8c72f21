package dev.chatstream.llamacpp;

import dev.chatstream.core.ChatMessage;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A llama.cpp stand-in that replies with given pieces, stalls (a model that never answers) or fails. As in the
 * real engine (kherud/java-llama.cpp issues #102 and #116), {@link Generation#stop} does not wake a thread waiting
 * for a piece: a stalled thread stays until {@link #unstall}, like one inside {@code receiveCompletion}.
 */
final class ScriptedEngine implements LlamaEngine {
    /** SLOW: 5 ms per piece, like a real model (a stop is seen after at most one more piece). */
    enum Mode { REPLY, SLOW, STALL_BEFORE, STALL_AFTER, FAIL }

    private final List<String> pieces;
    private final Mode mode;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CountDownLatch unstalled = new CountDownLatch(1);
    private final CountDownLatch stalling = new CountDownLatch(1);
    volatile List<ChatMessage> lastMessages;
    volatile boolean closed;

    ScriptedEngine(Mode mode, List<String> pieces) {
        this.mode = mode;
        this.pieces = List.copyOf(pieces);
    }

    @Override
    public String prompt(List<ChatMessage> messages) {
        lastMessages = messages;
        return "prompt";
    }

    /** One token per word, as a stand-in for a vocabulary. */
    @Override
    public int tokenCount(String text) {
        return text.isBlank() ? 0 : text.strip().split("\\s+").length;
    }

    @Override
    public Generation generate(String prompt, int maxTokens, float temperature) {
        if (mode == Mode.FAIL) {
            throw new IllegalStateException("failed to decode the batch");
        }
        return new Generation() {
            private int next;

            @Override
            public String next() {
                if (mode == Mode.STALL_BEFORE || (mode == Mode.STALL_AFTER && next == pieces.size())) {
                    await(); // stop() does not wake it: a model that says nothing more
                    return null;
                }
                if (stopped.getCount() == 0 || next == pieces.size()) {
                    return null;
                }
                if (mode == Mode.SLOW) {
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return pieces.get(next++);
            }

            @Override
            public void stop() {
                stopped.countDown();
            }

            @Override
            public int tokens() {
                return next;
            }
        };
    }

    /** Lets stalled threads go, as the next token would. */
    void unstall() {
        unstalled.countDown();
    }

    /** Waits until a thread is inside a stall; false after {@code timeout}. */
    boolean awaitStalled(Duration timeout) throws InterruptedException {
        return stalling.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void await() {
        stalling.countDown();
        try {
            unstalled.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    boolean sawStop(Duration timeout) {
        try {
            return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        closed = true;
    }
}
