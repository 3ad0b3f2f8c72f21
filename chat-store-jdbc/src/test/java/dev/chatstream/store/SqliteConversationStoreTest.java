package dev.chatstream.store;

import dev.chatstream.core.ConversationStore;
import dev.chatstream.core.ConversationStoreContract;

class SqliteConversationStoreTest extends ConversationStoreContract {
    @org.junit.jupiter.api.AfterEach
    void closeStores() {
        Stores.closeOpened();
    }

    @Override
    protected ConversationStore newStore() {
        return Stores.sqlite().conversations();
    }
}
