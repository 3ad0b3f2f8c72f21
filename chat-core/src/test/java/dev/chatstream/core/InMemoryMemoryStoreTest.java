package dev.chatstream.core;

/** The in-memory fake obeys the memory store contract. */
class InMemoryMemoryStoreTest extends MemoryStoreContract {
    @Override
    protected MemoryStore newStore() {
        return new InMemoryMemoryStore();
    }
}
