package dev.chatstream.store;

import dev.chatstream.core.HomeContextStore;
import dev.chatstream.core.HomeContextStoreContract;

class PostgresHomeContextStoreTest extends HomeContextStoreContract {
    @Override
    protected HomeContextStore newStore() {
        return Stores.postgres().homes();
    }
}
