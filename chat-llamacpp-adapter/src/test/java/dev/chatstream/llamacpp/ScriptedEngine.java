package dev.chatstream.llamacpp;

import dev.chatstream.core.ChatMessage;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A llama.cpp stand-in that replies with given pieces, stalls (a model that never answers) or fails. */
final class ScriptedEngine implements LlamaEngine {
    enum Mode { REPLY, STALL_BEFORE, STALL_AFTER, FAIL }

    private final List<String> pieces;
    private final Mode mode;
    private final CountDownLatch stopped = new CountDownLatch(1);
    volatile List<ChatMessage> lastMessages;

    ScriptedEngine(Mode mode, List<String> pieces) {
        this.mode = mode;
        this.pieces = List.copyOf(pieces);
    }

    @Override
    public String prompt(List<ChatMessage> messages) {
        lastMessages = messages;
        return "prompt";
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
                    await(); // until stopped: a model that says nothing more
                    return null;
                }
                if (stopped.getCount() == 0 || next == pieces.size()) {
                    return null;
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

    private void await() {
        try {
            stopped.await();
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
    }
}
