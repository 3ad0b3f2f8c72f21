package dev.chatstream.store;

class SqliteAccountsTest extends AccountsBehaviour {
    @Override
    JdbcStore newStore() {
        return Stores.sqlite();
    }
}
