package dev.chatstream.core;

/** The request is malformed or over a limit: the caller must change it. The message names the field. */
public final class InvalidRequestException extends ChatException {
    private final String field;

    /**
     * @param field   the offending field as the client knows it, e.g. {@code history[3].role}
     * @param message what is wrong and what is allowed
     */
    public InvalidRequestException(String field, String message) {
        super(ErrorCode.INVALID_REQUEST, message, null);
        this.field = Checks.notNull(field, "field");
    }

    /** The offending field, e.g. {@code message} or {@code history[3].role}. */
    public String field() {
        return field;
    }
}
