package dev.chatstream.core;

import java.util.Map;
import org.junit.jupiter.api.Nested;

/** The in-memory fake obeys both context contracts. */
class InMemoryPromptContextSourceTest {
    @Nested
    class AsSource extends PromptContextSourceContract {
        @Override
        protected PromptContextSource newSource(String basePrompt, Map<UserId, HomeContext> homes) {
            InMemoryPromptContextSource source = new InMemoryPromptContextSource(basePrompt);
            homes.forEach(source::put);
            return source;
        }
    }

    @Nested
    class AsStore extends HomeContextStoreContract {
        @Override
        protected HomeContextStore newStore() {
            return new InMemoryPromptContextSource();
        }
    }
}
