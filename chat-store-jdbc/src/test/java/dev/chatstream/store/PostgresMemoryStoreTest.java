package dev.chatstream.store;

import dev.chatstream.core.MemoryStore;
import dev.chatstream.core.MemoryStoreContract;

class PostgresMemoryStoreTest extends MemoryStoreContract {
    @org.junit.jupiter.api.AfterEach
    void closeStores() {
        Stores.closeOpened();
    }

    @Override
    protected MemoryStore newStore() {
        return Stores.postgres().memories();
    }
}
