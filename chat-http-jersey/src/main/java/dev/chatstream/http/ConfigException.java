package dev.chatstream.http;

/** A configuration value that cannot be used; the message names the key, where it came from and what is accepted. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ConfigException(String message) {
        super(message);
    }
}
