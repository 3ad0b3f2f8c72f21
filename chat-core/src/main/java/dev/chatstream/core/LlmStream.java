package dev.chatstream.core;

/**
 * The port to a language model that streams its reply.
 *
 * <p>Contract, checked by {@code LlmStreamContract} in this module's test-jar, which every adapter's tests extend:
 * <ul>
 *   <li>{@link #stream} blocks the calling thread until the completion ends, and returns its usage.
 *       Deltas reach the listener on the calling thread, in order, never concurrently and never after
 *       {@code stream} returned or threw.</li>
 *   <li>Cancellation can come at any moment from any thread, including before the first token and while
 *       the model loads. The adapter registers a callback with {@link Cancellation#onCancel} that aborts the
 *       upstream call at once (for an HTTP upstream: closes the connection, which is how Ollama learns to
 *       stop generating), then {@code stream} throws {@link StreamCancelledException} promptly and delivers
 *       nothing more. When {@code cancellation} has already fired, {@code stream} throws without contacting
 *       the upstream. Nothing (thread, connection, buffer) is left behind in any case.</li>
 *   <li>Failures are {@link ChatException}s: {@link TransientException} when retrying can help,
 *       {@link UpstreamException} when an operator must act. A failure after some deltas were delivered is
 *       reported the same way; the deltas already delivered stay delivered.</li>
 *   <li>If the listener throws, the upstream call is aborted and the exception propagates from {@code stream}.</li>
 * </ul>
 */
public interface LlmStream {
    /**
     * Streams one completion.
     *
     * @param request      the prompt and options
     * @param listener     receives each delta
     * @param cancellation fires to stop the completion
     * @return the usage figures reported at the end
     * @throws ChatException when the completion fails or is cancelled
     */
    Usage stream(LlmRequest request, LlmListener listener, Cancellation cancellation);

    /**
     * How many tokens the model's context holds for one request, prompt and reply together, when the backend can
     * tell (Ollama: the configured {@code num_ctx}, else the model's; llama.cpp: a slot's share). A prompt larger
     * than the context is silently cut from the front by the servers, which drops the system prompt; the
     * {@link ChatStreamer} fits the prompt to it instead. May do I/O once and cache it; never throws.
     *
     * @param options the request's options (its model override)
     * @return the context size, or empty when unknown (then only the configured prompt budget applies)
     */
    default java.util.OptionalInt contextTokens(ChatOptions options) {
        return java.util.OptionalInt.empty();
    }

    /**
     * The most tokens one reply may take, when the backend is set to stop there (Ollama's {@code num_predict},
     * {@code llamacpp.max.tokens}): the room a prompt leaves in the context. Never throws.
     *
     * @return the limit, or empty when none is set (then a quarter of the context is kept for the reply)
     */
    default java.util.OptionalInt replyTokens(ChatOptions options) {
        return java.util.OptionalInt.empty();
    }

    /**
     * The models this backend can answer with, for people choosing one ({@code chat}'s {@code /model}): Ollama's
     * installed models, an OpenAI-compatible server's list, llama.cpp's one file. May do I/O.
     *
     * @return the names; empty when the backend cannot tell
     * @throws ChatException when the backend cannot be asked
     */
    default java.util.List<String> models() {
        return java.util.List.of();
    }

    /** The model a request that names none gets, for people; empty when not known without asking. Never throws. */
    default java.util.Optional<String> configuredModel() {
        return java.util.Optional.empty();
    }
}
