package dev.chatstream.core;

/**
 * A setting that cannot be used. The message names the key, where its value came from (a flag, an environment
 * variable, a file) and what is accepted, so the person who set it can fix it; programs exit with a usage error.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong and what to set instead */
    public ConfigException(String message) {
        super(Checks.notNull(message, "message"));
    }
}
