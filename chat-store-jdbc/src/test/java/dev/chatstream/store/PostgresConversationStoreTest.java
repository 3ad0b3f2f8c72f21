package dev.chatstream.store;

import dev.chatstream.core.ConversationStore;
import dev.chatstream.core.ConversationStoreContract;

class PostgresConversationStoreTest extends ConversationStoreContract {
    @org.junit.jupiter.api.AfterEach
    void closeStores() {
        Stores.closeOpened();
    }

    @Override
    protected ConversationStore newStore() {
        return Stores.postgres().conversations();
    }
}
