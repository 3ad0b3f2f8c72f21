package dev.chatstream.store;

import dev.chatstream.core.HomeContextStore;
import dev.chatstream.core.HomeContextStoreContract;

class SqliteHomeContextStoreTest extends HomeContextStoreContract {
    @Override
    protected HomeContextStore newStore() {
        return Stores.sqlite().homes();
    }
}
