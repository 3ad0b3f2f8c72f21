package dev.chatstream.core;

class InMemoryConversationStoreTest extends ConversationStoreContract {
    @Override
    protected ConversationStore newStore() {
        return new InMemoryConversationStore();
    }
}
