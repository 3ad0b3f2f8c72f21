package dev.chatstream.core;

/**
 * The LLM side failed in a way retrying will not fix (model not installed, request rejected, server error):
 * an operator must act. The message says how, e.g. {@code ollama pull llama3.2}.
 */
public final class UpstreamException extends ChatException {
    /**
     * A failure with no library exception behind it.
     *
     * @param code    a code that is not {@linkplain ErrorCode#retryable() retryable}
     * @param message what went wrong and what to do
     */
    public UpstreamException(ErrorCode code, String message) {
        super(code, message, null);
        requireFinal(code);
    }

    /**
     * @param code    a code that is not {@linkplain ErrorCode#retryable() retryable}
     * @param message what went wrong and what to do
     * @param cause   the library exception
     */
    public UpstreamException(ErrorCode code, String message, Throwable cause) {
        super(code, message, Checks.notNull(cause, "cause"));
        requireFinal(code);
    }

    private static void requireFinal(ErrorCode code) {
        if (code.retryable()) {
            throw new IllegalArgumentException("error code " + code.code() + " is retryable: use TransientException");
        }
    }
}
