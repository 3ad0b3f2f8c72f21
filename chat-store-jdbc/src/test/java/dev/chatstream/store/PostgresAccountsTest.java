package dev.chatstream.store;

class PostgresAccountsTest extends AccountsBehaviour {
    @Override
    JdbcStore newStore() {
        return Stores.postgres();
    }
}
