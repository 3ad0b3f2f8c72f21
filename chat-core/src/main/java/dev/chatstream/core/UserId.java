package dev.chatstream.core;

/**
 * Who a request runs as. Every user-scoped lookup (home context, memories, conversations) is keyed by it,
 * so one user's data can never answer another's request.
 *
 * @param value a non-blank identifier, at most 200 characters, without control characters
 */
public record UserId(String value) {
    public UserId {
        Checks.notNull(value, "user id");
        if (value.isBlank()) {
            throw new IllegalArgumentException("user id must not be blank");
        }
        if (value.length() > 200) {
            throw new IllegalArgumentException("user id is too long: " + value.length() + " characters, the limit is 200");
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("user id must not contain control characters");
        }
    }

    /** Returns a user id for {@code value}; same rules as the constructor. */
    public static UserId of(String value) {
        return new UserId(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
