package dev.chatstream.store;

import dev.chatstream.core.HomeContextStore;
import dev.chatstream.core.HomeContextStoreContract;

class PostgresHomeContextStoreTest extends HomeContextStoreContract {
    @org.junit.jupiter.api.AfterEach
    void closeStores() {
        Stores.closeOpened();
    }

    @Override
    protected HomeContextStore newStore() {
        return Stores.postgres().homes();
    }
}
