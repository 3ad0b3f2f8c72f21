package dev.chatstream.core;

import java.util.Locale;
import java.util.Optional;

/** The author of a {@link ChatMessage}. Only {@link #USER} and {@link #ASSISTANT} may come from a client. */
public enum Role {
    /** Instructions assembled by chatstream; never accepted from a client. */
    SYSTEM,
    /** The person chatting. */
    USER,
    /** The model. */
    ASSISTANT;

    /** The lower-case name used on the wire ({@code "user"}, {@code "assistant"}, {@code "system"}). */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role whose {@link #wireName()} is exactly {@code name}, if any. */
    public static Optional<Role> fromWireName(String name) {
        for (Role role : values()) {
            if (role.wireName().equals(name)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }
}
