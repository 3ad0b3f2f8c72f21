package dev.chatstream.store;

import dev.chatstream.core.MemoryStore;
import dev.chatstream.core.MemoryStoreContract;

class SqliteMemoryStoreTest extends MemoryStoreContract {
    @org.junit.jupiter.api.AfterEach
    void closeStores() {
        Stores.closeOpened();
    }

    @Override
    protected MemoryStore newStore() {
        return Stores.sqlite().memories();
    }
}
