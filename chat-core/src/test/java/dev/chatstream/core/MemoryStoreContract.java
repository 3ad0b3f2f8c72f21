package dev.chatstream.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * The rules every {@link MemoryStore} obeys, stores and caching decorators alike. An implementation's test
 * extends this class and returns a fresh, empty store.
 */
public abstract class MemoryStoreContract {
    private static final UserId ANA = UserId.of("ana");
    private static final UserId RUI = UserId.of("rui");

    /** A new, empty store. */
    protected abstract MemoryStore newStore();

    @Test
    void shouldListAddedMemoriesOldestFirst() {
        MemoryStore store = newStore();
        Memory first = store.add(ANA, "O aniversário da Ana é a 3 de maio");
        Memory second = store.add(ANA, "A Ana prefere a sala a 22 graus");

        assertThat(store.list(ANA)).extracting(Memory::text)
                .containsExactly("O aniversário da Ana é a 3 de maio", "A Ana prefere a sala a 22 graus");
        assertThat(first.id()).isNotEqualTo(second.id());
    }

    @Test
    void shouldFindRelevantMemories() {
        MemoryStore store = newStore();
        store.add(ANA, "O aniversário da Ana é a 3 de maio");
        store.add(ANA, "A Ana tem um gato chamado Tareco");

        assertThat(store.relevant(ANA, "Lembras-te do meu aniversário?", 5)).extracting(Memory::text)
                .containsExactly("O aniversário da Ana é a 3 de maio");
    }

    @Test
    void shouldRespectTheLimit() {
        MemoryStore store = newStore();
        for (int i = 0; i < 5; i++) {
            store.add(ANA, "gato número " + i);
        }

        assertThat(store.relevant(ANA, "o meu gato", 2)).hasSize(2);
    }

    @Test
    void shouldDeleteAMemorySoItIsNeitherListedNorRecalled() {
        MemoryStore store = newStore();
        Memory memory = store.add(ANA, "O aniversário da Ana é a 3 de maio");
        store.relevant(ANA, "o meu aniversário", 5); // a cache, if any, now holds it

        assertThat(store.delete(ANA, memory.id())).isTrue();

        assertThat(store.list(ANA)).isEmpty();
        assertThat(store.relevant(ANA, "o meu aniversário", 5)).isEmpty();
        assertThat(store.delete(ANA, memory.id())).isFalse();
    }

    @Test
    void shouldRecallAMemoryAddedAfterAnEarlierLookup() {
        MemoryStore store = newStore();
        assertThat(store.relevant(ANA, "o meu aniversário", 5)).isEmpty();

        store.add(ANA, "O aniversário da Ana é a 3 de maio");

        assertThat(store.relevant(ANA, "o meu aniversário", 5)).hasSize(1);
    }

    @Test
    void shouldNeverShowOneUsersMemoriesToAnother() {
        MemoryStore store = newStore();
        Memory anas = store.add(ANA, "O aniversário da Ana é a 3 de maio");
        store.add(RUI, "O aniversário do Rui é a 9 de junho");

        assertThat(store.list(RUI)).extracting(Memory::text).containsExactly("O aniversário do Rui é a 9 de junho");
        assertThat(store.relevant(RUI, "o meu aniversário", 5)).extracting(Memory::text)
                .containsExactly("O aniversário do Rui é a 9 de junho");
        assertThat(store.delete(RUI, anas.id())).as("Rui cannot delete Ana's memory").isFalse();
        assertThat(store.list(ANA)).hasSize(1);
    }

    @Test
    void shouldRejectABlankMemory() {
        MemoryStore store = newStore();

        assertThatThrownBy(() -> store.add(ANA, "   "))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("memory text must not be blank");
        assertThat(store.list(ANA)).isEmpty();
    }

    @Test
    void shouldRejectAnOversizedMemoryAndStoreNothing() {
        MemoryStore store = newStore();

        assertThatThrownBy(() -> store.add(ANA, "x".repeat(Memory.MAX_CHARS + 1)))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("memory text is too long: 2001 characters, the limit is 2000");
        assertThat(store.list(ANA)).isEmpty();
        assertThat(store.add(ANA, "x".repeat(Memory.MAX_CHARS)).text()).hasSize(Memory.MAX_CHARS);
    }

    @Test
    void shouldStoreAndSearchSqlLookingTextVerbatim() {
        MemoryStore store = newStore();
        String text = "O gato chama-se Robert'); DROP TABLE memories; -- \"aspas\" 100% _ * OR 1=1";

        store.add(ANA, text);

        assertThat(store.list(ANA)).extracting(Memory::text).containsExactly(text);
        assertThat(store.relevant(ANA, "o meu gato') OR 1=1; --", 5)).extracting(Memory::text).containsExactly(text);
        assertThat(store.relevant(ANA, "\"*\" NEAR(a b) OR : ^ -", 5)).as("search syntax in a message is not run")
                .isEmpty();
    }

    @Test
    void shouldRecallAcrossAccentsAndCase() {
        MemoryStore store = newStore();
        store.add(ANA, "A Ana faz anos em MAIO, no dia do aniversário da avó");

        assertThat(store.relevant(ANA, "lembras-te do meu ANIVERSARIO?", 5)).hasSize(1);
        assertThat(store.relevant(ANA, "what is my birthday?", 5)).isEmpty();
    }
}
