package dev.chatstream.store;

import dev.chatstream.core.HomeContextStore;
import dev.chatstream.core.HomeContextStoreContract;

class SqliteHomeContextStoreTest extends HomeContextStoreContract {
    @org.junit.jupiter.api.AfterEach
    void closeStores() {
        Stores.closeOpened();
    }

    @Override
    protected HomeContextStore newStore() {
        return Stores.sqlite().homes();
    }
}
