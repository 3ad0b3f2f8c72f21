package dev.chatstream.core;

import java.time.Duration;
import java.util.Optional;

/**
 * A failure that can go away by itself (the LLM server is down, busy or slow): retry later,
 * after {@link #retryAfter()} when known.
 */
public final class TransientException extends ChatException {
    private final Duration retryAfter;

    /** A transient failure with no retry hint and no library exception behind it. */
    public TransientException(ErrorCode code, String message) {
        this(code, message, Duration.ZERO);
    }

    /** A transient failure with no retry hint, caused by {@code cause}. */
    public TransientException(ErrorCode code, String message, Throwable cause) {
        this(code, message, Duration.ZERO, Checks.notNull(cause, "cause"));
    }

    /** A transient failure with a retry hint and no library exception behind it. */
    public TransientException(ErrorCode code, String message, Duration retryAfter) {
        super(code, message, null);
        if (!code.retryable()) {
            throw new IllegalArgumentException("error code " + code.code() + " is not retryable");
        }
        this.retryAfter = Checks.notNull(retryAfter, "retryAfter");
    }

    /**
     * @param code       a {@linkplain ErrorCode#retryable() retryable} code
     * @param message    what went wrong and what to do
     * @param retryAfter how long to wait before retrying; zero when unknown
     * @param cause      the library exception
     */
    public TransientException(ErrorCode code, String message, Duration retryAfter, Throwable cause) {
        super(code, message, Checks.notNull(cause, "cause"));
        if (!code.retryable()) {
            throw new IllegalArgumentException("error code " + code.code() + " is not retryable");
        }
        this.retryAfter = Checks.notNull(retryAfter, "retryAfter");
    }

    /** How long to wait before retrying, when the upstream said so. */
    public Optional<Duration> retryAfter() {
        return retryAfter.isZero() || retryAfter.isNegative() ? Optional.empty() : Optional.of(retryAfter);
    }
}
