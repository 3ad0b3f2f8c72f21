package dev.chatstream.core;

/**
 * Stable, machine-readable error codes. The {@link #code()} strings are part of the wire contract:
 * never rename one.
 */
public enum ErrorCode {
    /** The request is malformed or over a limit; fix it and send again. */
    INVALID_REQUEST("invalid_request", false),
    /** The LLM server could not be reached or its connection broke. */
    LLM_UNAVAILABLE("llm_unavailable", true),
    /** The LLM server is busy (queue full); try again shortly. */
    LLM_BUSY("llm_busy", true),
    /** The model is not installed on the LLM server. */
    MODEL_NOT_FOUND("model_not_found", false),
    /** The LLM server rejected the request (bad parameters, unsupported feature). */
    LLM_REJECTED("llm_rejected", false),
    /** The LLM server failed while answering (an internal error, or an error line mid-stream). */
    LLM_FAILED("llm_failed", false),
    /** The LLM server's reply broke the protocol: malformed or oversized line, stream cut short. */
    LLM_PROTOCOL("llm_protocol", true),
    /** The LLM did not answer in time (connect, first token, idle or overall timeout). */
    LLM_TIMEOUT("llm_timeout", true),
    /** Every LLM backend was answering as many replies as it may, and the wait for one was full or too long. */
    SERVER_BUSY("server_busy", true),
    /** The prompt context (system prompt, home context) could not be loaded. */
    CONTEXT_UNAVAILABLE("context_unavailable", true),
    /** An ACTION line could not be understood; the text reply is unaffected. */
    INVALID_ACTION("invalid_action", false),
    /** The system prompt and the message alone do not fit the model's context; nothing was sent. */
    PROMPT_TOO_LONG("prompt_too_long", false),
    /** The stream was stopped: the client left or asked to stop. */
    CANCELLED("cancelled", false),
    /** The stream ran past the server's maximum stream duration; the upstream was closed. */
    TIMEOUT("timeout", true),
    /** The server is shutting down; the stream was closed. Retry against another instance or later. */
    SERVER_SHUTDOWN("server_shutdown", true),
    /**
     * The server that was answering the reply stopped (several nodes: its lease in the shared state lapsed) before
     * the reply ended; what it generated is kept. Send the message again.
     */
    NODE_LOST("node_lost", true),
    /** The conversation does not exist or is not the caller's (the same answer for both, so ids cannot be probed). */
    CONVERSATION_NOT_FOUND("conversation_not_found", false),
    /** The store (users, memories, conversations) could not be read or written; try again in a moment. */
    STORE_UNAVAILABLE("store_unavailable", true),
    /**
     * What several nodes share (Redis) cannot be reached, and this request needs it (an action waiting for
     * confirmation, which any node may hold); try again in a moment.
     */
    SHARED_STATE_UNAVAILABLE("shared_state_unavailable", true),
    /** The action to confirm or cancel does not exist or is not the caller's (the same answer for both). */
    ACTION_NOT_FOUND("action_not_found", false),
    /** The action's time to be confirmed ran out; ask again. */
    ACTION_EXPIRED("action_expired", false),
    /** The action was already confirmed or cancelled: each id is used once. */
    ACTION_ALREADY_DECIDED("action_already_decided", false),
    /** A bug in chatstream; details are in the server log, never in the event. */
    INTERNAL("internal_error", false);

    private final String code;
    private final boolean retryable;

    ErrorCode(String code, boolean retryable) {
        this.code = code;
        this.retryable = retryable;
    }

    /** The wire name, e.g. {@code "llm_unavailable"}. */
    public String code() {
        return code;
    }

    /** Whether sending the same request again later can succeed. */
    public boolean retryable() {
        return retryable;
    }
}
