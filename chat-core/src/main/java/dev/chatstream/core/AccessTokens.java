package dev.chatstream.core;

import java.util.Optional;

/**
 * The port that tells which user an API token belongs to. Implementations keep only a hash of each token,
 * compare in constant time, and never log a token. Thread-safe.
 */
public interface AccessTokens {
    /**
     * The user whose live (not revoked) token this is; empty for an unknown, malformed or revoked token.
     *
     * @throws ChatException when the tokens cannot be read (the caller answers 503, not 401)
     */
    Optional<UserId> authenticate(String token);
}
