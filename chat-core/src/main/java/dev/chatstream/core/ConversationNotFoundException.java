package dev.chatstream.core;

/**
 * The conversation named in a request does not exist or is not the caller's; the message never says which.
 * Leave out the conversation id to start a new one.
 */
public final class ConversationNotFoundException extends ChatException {
    /** For the conversation {@code id}. */
    public ConversationNotFoundException(long id) {
        super(ErrorCode.CONVERSATION_NOT_FOUND, "Conversation " + id
                + " was not found; leave out conversation_id to start a new one", null);
    }
}
