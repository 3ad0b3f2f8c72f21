package dev.chatstream.store;

import dev.chatstream.core.MemoryStore;
import dev.chatstream.core.MemoryStoreContract;

class SqliteMemoryStoreTest extends MemoryStoreContract {
    @Override
    protected MemoryStore newStore() {
        return Stores.sqlite().memories();
    }
}
