package dev.chatstream.homeassistant;

/** A Home Assistant call failed; the message says why and what to do, and never holds the token. */
final class HomeAssistantException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;

    HomeAssistantException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The HTTP status Home Assistant answered with; 0 when it did not answer. */
    int status() {
        return status;
    }
}
