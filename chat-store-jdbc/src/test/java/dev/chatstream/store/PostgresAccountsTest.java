package dev.chatstream.store;

class PostgresAccountsTest extends AccountsBehaviour {
    @org.junit.jupiter.api.AfterEach
    void closeStores() {
        Stores.closeOpened();
    }

    @Override
    JdbcStore newStore() {
        return Stores.postgres();
    }
}
