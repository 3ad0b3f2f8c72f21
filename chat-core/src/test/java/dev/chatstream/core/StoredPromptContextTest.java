package dev.chatstream.core;

import java.util.Map;
import org.junit.jupiter.api.Nested;

/** The store-backed source and the in-memory home store obey their contracts. */
class StoredPromptContextTest {
    @Nested
    class AsSource extends PromptContextSourceContract {
        @Override
        protected PromptContextSource newSource(String basePrompt, Map<UserId, HomeContext> homes) {
            InMemoryHomeContextStore store = new InMemoryHomeContextStore();
            homes.forEach(store::replaceHomeContext);
            return new StoredPromptContext(basePrompt, store);
        }
    }

    @Nested
    class InMemoryHomes extends HomeContextStoreContract {
        @Override
        protected HomeContextStore newStore() {
            return new InMemoryHomeContextStore();
        }
    }
}
