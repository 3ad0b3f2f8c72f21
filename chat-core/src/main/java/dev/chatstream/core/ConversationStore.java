package dev.chatstream.core;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The port to each user's stored conversations. Every method is scoped to one user: a conversation that
 * does not exist and one that belongs to someone else look the same, so ids cannot be probed. Thread-safe.
 *
 * <p>A turn (the user's message and the reply) is written in one step when its stream ends, so a
 * conversation never holds half a turn. The contract is checked by {@code ConversationStoreContract} in this
 * module's test-jar.
 *
 * @throws ChatException from any method when the store cannot be reached ({@link ErrorCode#STORE_UNAVAILABLE})
 */
public interface ConversationStore {
    /** The user's conversations, the most recently updated first. */
    List<Conversation> conversations(UserId user);

    /** The messages of one of the user's conversations, oldest first; empty when it is not theirs. */
    Optional<List<StoredMessage>> messages(UserId user, long conversationId);

    /**
     * Stores one turn: the user's message, then the reply with its status. Without a conversation id it
     * starts a new conversation titled after the message.
     *
     * @return the id of the conversation the turn was stored in
     * @throws ConversationNotFoundException when {@code conversationId} is not one of the user's
     *                                       conversations (nothing is stored then)
     */
    long saveTurn(UserId user, OptionalLong conversationId, String message, Reply reply);

    /**
     * Stores one turn in place of the conversation's messages from {@code fromMessageId} on (that message and every
     * later one are deleted in the same step): a regenerated reply, or a message edited and sent again. An id past
     * the conversation's last message deletes nothing.
     *
     * @return {@code conversationId}
     * @throws ConversationNotFoundException when {@code conversationId} is not one of the user's conversations
     *                                       (nothing is changed then)
     */
    long replaceTurns(UserId user, long conversationId, long fromMessageId, String message, Reply reply);

    /**
     * Starts an empty conversation titled after {@code firstMessage}, the message of the turn about to run in it,
     * so that the turn knows its conversation from its start (a client that stops it, or reloads, can continue
     * it). Listed with the newest, ahead of every conversation that holds turns, until its first turn is stored.
     *
     * @return the new conversation's id
     */
    long startConversation(UserId user, String firstMessage);

    /**
     * Deletes one of the user's conversations with its messages.
     *
     * @return whether it existed and belonged to the user
     */
    boolean delete(UserId user, long conversationId);

    /**
     * Gives one of the user's conversations another title (as {@link Conversation#titleFor} makes it: one line, at most
     * {@link Conversation#MAX_TITLE_CHARS} characters); its messages and its time stay as they are.
     *
     * @return whether it existed and belonged to the user
     */
    boolean rename(UserId user, long conversationId, String title);
}
