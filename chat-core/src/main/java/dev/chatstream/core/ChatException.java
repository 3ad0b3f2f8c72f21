package dev.chatstream.core;

/**
 * The root of every failure chatstream reports. Its subtype tells the caller what to do:
 * {@link InvalidRequestException} (fix the request), {@link TransientException} (retry later),
 * {@link UpstreamException} (an operator must fix the LLM side), {@link StreamCancelledException}
 * (nobody is waiting any more), {@link ConversationNotFoundException} (the named conversation is not the
 * caller's), {@link ActionTicketException} (the action to confirm is gone). Its {@link #code()} is what reaches a client, with the message, as one
 * terminal error event. Adapters translate library exceptions into these and keep the cause.
 */
public abstract sealed class ChatException extends RuntimeException
        permits InvalidRequestException, TransientException, UpstreamException, StreamCancelledException,
        ConversationNotFoundException, ActionTicketException {
    private final ErrorCode code;

    ChatException(ErrorCode code, String message, Throwable cause) {
        super(Checks.notNull(message, "message"), cause);
        this.code = Checks.notNull(code, "code");
    }

    /** The stable code sent to clients. */
    public ErrorCode code() {
        return code;
    }

    /** Whether the same request can succeed later. */
    public boolean retryable() {
        return code.retryable();
    }
}
