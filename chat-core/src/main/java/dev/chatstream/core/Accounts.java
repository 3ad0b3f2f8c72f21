package dev.chatstream.core;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The port through which people administer who may use chatstream: users and their API tokens. Tokens are kept
 * only as hashes and are seen once, when issued; implementations never log one. Thread-safe.
 * Failures to reach the accounts are {@code store_unavailable} {@link ChatException}s.
 */
public interface Accounts extends AccessTokens {
    /**
     * One user.
     *
     * @param id        the name requests run as
     * @param createdAt when the user was added
     */
    record User(UserId id, Instant createdAt) {
    }

    /**
     * A token as the admin sees it: never the token itself.
     *
     * @param id         the token's number, for revoking it
     * @param user       whose it is
     * @param label      what it is for, e.g. "laptop"
     * @param createdAt  when it was issued
     * @param lastUsedAt when it last authenticated a request (to the minute), if ever
     * @param revokedAt  when it was revoked, if it was
     */
    record TokenInfo(long id, UserId user, String label, Instant createdAt, Optional<Instant> lastUsedAt,
                     Optional<Instant> revokedAt) {
    }

    /**
     * A token just issued: the only time the token is seen.
     *
     * @param id    the token's number, for revoking it
     * @param token the secret to give the user
     */
    record IssuedToken(long id, String token) {
        @Override
        public String toString() {
            return "IssuedToken[id=" + id + ", token=***]";
        }
    }

    /** Whether any user has a live token (false on a first start). */
    boolean anyLiveToken();

    /**
     * Adds a user.
     *
     * @throws InvalidRequestException when the name is taken or not a valid user id
     */
    User addUser(String name);

    /** The user named {@code name}, if there is one. */
    Optional<User> user(String name);

    /** Every user, in the order they were added. */
    List<User> users();

    /**
     * Issues a new token for an existing user.
     *
     * @param label what the token is for, e.g. "laptop"; may be empty
     * @throws InvalidRequestException when there is no such user
     */
    IssuedToken issueToken(UserId user, String label);

    /** Every token, live and revoked, oldest first; {@code user} narrows it to one user's. */
    List<TokenInfo> tokens(Optional<UserId> user);

    /**
     * Revokes a token: from now on it authenticates nothing.
     *
     * @return whether a live token with that number existed
     */
    boolean revoke(long tokenId);
}
