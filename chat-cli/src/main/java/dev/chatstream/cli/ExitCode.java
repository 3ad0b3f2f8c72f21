package dev.chatstream.cli;

import dev.chatstream.core.ErrorCode;

/**
 * The {@code chat} command's exit codes, one per kind of failure so scripts can tell them apart. They are
 * part of the command's contract (listed in {@code docs/cli.md}, kept in step by a test): never renumber one.
 */
public enum ExitCode {
    OK(0, "success: the reply finished, or the command did what it says"),
    FAILED(1, "an unexpected error (a bug): see the message, report it"),
    USAGE(2, "bad command line, configuration or input: unknown option, empty or too long message, invalid file"),
    UNAVAILABLE(3, "Ollama or the chatstream server could not be reached, was busy or too slow; try again later"),
    MODEL_NOT_FOUND(4, "the model is not installed: `ollama pull MODEL`"),
    LLM_FAILED(5, "the model failed, refused or broke off mid-reply"),
    UNAUTHORIZED(6, "the server refused the token (missing, unknown or revoked)"),
    STORE(7, "the database could not be read or written"),
    NOT_FOUND(8, "no such conversation, memory, user or token"),
    INTERRUPTED(130, "stopped with Ctrl-C");

    /** For {@code chat --help}; a test keeps it in step with the constants. */
    static final String FOOTER = "  0  success%n"
            + "  1  an unexpected error (a bug)%n"
            + "  2  bad command line, configuration or input%n"
            + "  3  Ollama or the server could not be reached, was busy or too slow%n"
            + "  4  the model is not installed (ollama pull MODEL)%n"
            + "  5  the model failed or broke off mid-reply%n"
            + "  6  the server refused the token%n"
            + "  7  the database could not be read or written%n"
            + "  8  no such conversation, memory, user or token%n"
            + "130  stopped with Ctrl-C%n"
            + "%nDocs: docs/cli.md. Settings: docs/configuration.md.";

    private final int code;
    private final String meaning;

    ExitCode(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    /** The process exit status. */
    public int code() {
        return code;
    }

    /** What it means, as docs/cli.md says. */
    public String meaning() {
        return meaning;
    }

    /** The exit code for a stream that ended with {@code error}. */
    static ExitCode of(ErrorCode error) {
        return switch (error) {
            case INVALID_REQUEST -> USAGE;
            case LLM_UNAVAILABLE, LLM_BUSY, LLM_TIMEOUT, SERVER_BUSY, TIMEOUT, SERVER_SHUTDOWN, NODE_LOST -> UNAVAILABLE;
            case MODEL_NOT_FOUND -> MODEL_NOT_FOUND;
            case LLM_REJECTED, LLM_FAILED, LLM_PROTOCOL, INVALID_ACTION, PROMPT_TOO_LONG -> LLM_FAILED;
            case CONTEXT_UNAVAILABLE, STORE_UNAVAILABLE, SHARED_STATE_UNAVAILABLE -> STORE;
            case CONVERSATION_NOT_FOUND, ACTION_NOT_FOUND, ACTION_EXPIRED, ACTION_ALREADY_DECIDED -> NOT_FOUND;
            case CANCELLED -> INTERRUPTED;
            case INTERNAL -> FAILED;
        };
    }

    /** The exit code for an error code on the wire, including the server's own refusals (HTTP 4xx/5xx). */
    static ExitCode ofWire(String code) {
        for (ErrorCode e : ErrorCode.values()) {
            if (e.code().equals(code)) {
                return of(e);
            }
        }
        return switch (code) {
            case "unauthorized", "token_in_url" -> UNAUTHORIZED;
            case "rate_limited", "too_many_streams", "server_busy" -> UNAVAILABLE;
            case "auth_unavailable" -> STORE;
            case "not_found", "memory_not_found" -> NOT_FOUND;
            case "payload_too_large", "unsupported_media_type", "method_not_allowed", "request_timeout" -> USAGE;
            case "too_many_memories" -> USAGE;
            default -> FAILED;
        };
    }
}
