package dev.chatstream.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chatstream.core.InMemoryMemoryStore;
import dev.chatstream.core.Memory;
import dev.chatstream.core.MemoryStore;
import dev.chatstream.core.MemoryStoreContract;
import dev.chatstream.core.UserId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class CaffeineMemoryStoreTest {
    private static final UserId ANA = UserId.of("ana");
    private static final UserId RUI = UserId.of("rui");

    private final FakeTicker ticker = new FakeTicker();
    private final ManualExecutor reloads = new ManualExecutor();
    private final InMemoryMemoryStore store = new InMemoryMemoryStore();
    private final Gate gate = new Gate();
    private final CaffeineMemoryStore cached =
            new CaffeineMemoryStore(gated(store), CacheSettings.defaults().memories(), ticker, reloads);

    @Nested
    class ObeysTheMemoryStoreContract extends MemoryStoreContract {
        @Override
        protected MemoryStore newStore() {
            return CaffeineMemoryStore.wrap(new InMemoryMemoryStore(), CacheSettings.defaults());
        }
    }

    @Test
    void shouldKeepRelevantMemoriesForSixtySeconds() {
        store.add(ANA, "O aniversário da Ana é a 3 de maio");
        assertThat(cached.relevant(ANA, "o meu aniversário", 5)).hasSize(1);
        store.add(ANA, "O aniversário do pai é a 1 de junho"); // behind the cache's back

        ticker.advance(Duration.ofSeconds(59));
        assertThat(cached.relevant(ANA, "o meu aniversário", 5)).hasSize(1);
        assertThat(store.relevantCalls()).isEqualTo(1);

        ticker.advance(Duration.ofSeconds(1));
        assertThat(cached.relevant(ANA, "o meu aniversário", 5)).as("at sixty seconds").hasSize(2);
        assertThat(store.relevantCalls()).isEqualTo(2);
    }

    @Test
    void shouldShareOneEntryForQueriesThatDifferOnlyInCaseAccentsAndPunctuation() {
        store.add(ANA, "O aniversário da Ana é a 3 de maio");

        List<Memory> first = cached.relevant(ANA, "Lembras-te do meu aniversário?", 5);
        List<Memory> second = cached.relevant(ANA, "lembras te do meu aniversario", 5);
        List<Memory> third = cached.relevant(ANA, "  LEMBRAS-TE   DO MEU ANIVERSÁRIO!!! ", 5);

        assertThat(first).hasSize(1).isEqualTo(second).isEqualTo(third);
        assertThat(store.relevantCalls()).isEqualTo(1);
        assertThat(cached.relevant(ANA, "lembras te do meu aniversario", 1)).as("another limit, another entry")
                .hasSize(1);
        assertThat(store.relevantCalls()).isEqualTo(2);
    }

    @Test
    void shouldAnswerAQueryWithoutWordsWithoutAskingTheStore() {
        store.add(ANA, "O aniversário da Ana é a 3 de maio");

        assertThat(cached.relevant(ANA, "?!  ...", 5)).isEmpty();
        assertThat(store.relevantCalls()).isZero();
    }

    @Test
    void shouldReloadAheadOfExpiryWhileCallersKeepTheCurrentAnswer() {
        store.add(ANA, "O aniversário da Ana é a 3 de maio");
        cached.relevant(ANA, "o meu aniversário", 5);
        store.add(ANA, "O aniversário do pai é a 1 de junho");

        ticker.advance(Duration.ofSeconds(48)); // 80% of sixty seconds
        assertThat(cached.relevant(ANA, "o meu aniversário", 5)).hasSize(1);
        assertThat(store.relevantCalls()).isEqualTo(1);

        reloads.runAll();

        assertThat(cached.relevant(ANA, "o meu aniversário", 5)).hasSize(2);
        assertThat(store.relevantCalls()).isEqualTo(2);
    }

    @Test
    void shouldNeverShowADeletedMemoryEvenWithinTheTtl() {
        Memory birthday = store.add(ANA, "O aniversário da Ana é a 3 de maio");
        assertThat(cached.relevant(ANA, "o meu aniversário", 5)).containsExactly(birthday);
        assertThat(cached.relevant(ANA, "o aniversário", 5)).containsExactly(birthday);

        assertThat(cached.delete(ANA, birthday.id())).isTrue();

        assertThat(cached.relevant(ANA, "o meu aniversário", 5)).isEmpty();
        assertThat(cached.relevant(ANA, "o aniversário", 5)).isEmpty();
    }

    @Test
    void shouldRecallANewMemoryAtOnce() {
        assertThat(cached.relevant(ANA, "o meu gato", 5)).isEmpty();

        Memory cat = cached.add(ANA, "A Ana tem um gato chamado Tareco");

        assertThat(cached.relevant(ANA, "o meu gato", 5)).containsExactly(cat);
    }

    @Test
    void shouldKeepOtherUsersEntriesWhenOneUserChanges() {
        store.add(ANA, "O gato da Ana chama-se Tareco");
        store.add(RUI, "O gato do Rui chama-se Bolinhas");
        cached.relevant(ANA, "o meu gato", 5);
        cached.relevant(RUI, "o meu gato", 5);

        cached.add(ANA, "A Ana prefere a sala a 22 graus");

        cached.relevant(RUI, "o meu gato", 5);
        assertThat(store.relevantCalls()).as("Rui's entry survived").isEqualTo(2);
        cached.relevant(ANA, "o meu gato", 5);
        assertThat(store.relevantCalls()).as("Ana's entry was dropped").isEqualTo(3);
    }

    @Test
    void shouldNotLetALookupThatStartedBeforeADeleteBringTheMemoryBack() throws Exception {
        Memory birthday = store.add(ANA, "O aniversário da Ana é a 3 de maio");
        gate.arm();
        Thread early = Thread.ofPlatform().start(() -> cached.relevant(ANA, "o meu aniversário", 5));
        gate.awaitArrival(); // the lookup has read the birthday and is held

        cached.delete(ANA, birthday.id());
        gate.release();
        early.join(10_000);

        assertThat(cached.relevant(ANA, "o meu aniversário", 5)).isEmpty();
    }

    @Test
    void shouldLookUpAMissingQueryOnceForManyConcurrentCallers() throws InterruptedException {
        store.add(ANA, "O aniversário da Ana é a 3 de maio");

        List<List<Memory>> answers =
                Crowd.callTogether(16, gate, () -> cached.relevant(ANA, "o meu aniversário", 5));

        assertThat(answers).hasSize(16).allSatisfy(a -> assertThat(a).hasSize(1));
        assertThat(store.relevantCalls()).isEqualTo(1);
    }

    @Test
    void shouldServeTheLastGoodAnswerForTheGracePeriodWhileTheStoreFails() {
        FailingStore failing = new FailingStore(store);
        CaffeineMemoryStore guarded =
                new CaffeineMemoryStore(failing, CacheSettings.defaults().memories(), ticker, reloads);
        store.add(ANA, "O aniversário da Ana é a 3 de maio");
        guarded.relevant(ANA, "o meu aniversário", 5);
        failing.down = true;

        ticker.advance(Duration.ofSeconds(60));
        assertThat(guarded.relevant(ANA, "o meu aniversário", 5)).hasSize(1);
        ticker.advance(Duration.ofSeconds(60).minusNanos(1));
        assertThat(guarded.relevant(ANA, "o meu aniversário", 5)).hasSize(1);
        reloads.runAll();

        ticker.advance(Duration.ofNanos(1));
        assertThatThrownBy(() -> guarded.relevant(ANA, "o meu aniversário", 5))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("memory store down");
        assertThat(guarded.cacheStats().get(0).staleServed()).isEqualTo(1);
    }

    @Test
    void shouldNeverReturnOneUsersMemoriesToAnother() {
        List<UserId> users = List.of(ANA, RUI, UserId.of("eva"));
        List<String> queries = List.of("o meu gato", "O MEU GATO!", "o aniversário", "lembras-te da sala?");
        List<String> texts = List.of("gato Tareco", "aniversário a 3 de maio", "sala a 22 graus", "gato Bolinhas");
        Random random = new Random(7);
        for (int step = 0; step < 3_000; step++) {
            UserId user = users.get(random.nextInt(users.size()));
            switch (random.nextInt(5)) {
                case 0 -> cached.add(user, texts.get(random.nextInt(texts.size())) + " de " + user.value());
                case 1 -> {
                    List<Memory> own = store.list(user);
                    if (!own.isEmpty()) {
                        cached.delete(user, own.get(random.nextInt(own.size())).id());
                    }
                }
                case 2 -> {
                    List<Memory> others = new ArrayList<>();
                    users.stream().filter(u -> !u.equals(user)).forEach(u -> others.addAll(store.list(u)));
                    if (!others.isEmpty()) {
                        long foreign = others.get(random.nextInt(others.size())).id();
                        assertThat(cached.delete(user, foreign)).as("deleting another user's memory").isFalse();
                    }
                }
                case 3 -> {
                    ticker.advance(Duration.ofSeconds(random.nextInt(30)));
                    reloads.runAll();
                }
                default -> {
                    String query = queries.get(random.nextInt(queries.size()));
                    List<Memory> answer = cached.relevant(user, query, 3);
                    assertThat(answer).as("step %d", step).isEqualTo(store.relevant(user, query, 3));
                    assertThat(answer).allMatch(m -> m.text().endsWith(" de " + user.value()));
                }
            }
        }
    }

    @Test
    void shouldCountHitsAndMisses() {
        store.add(ANA, "O aniversário da Ana é a 3 de maio");
        cached.relevant(ANA, "o meu aniversário", 5);
        cached.relevant(ANA, "O meu aniversário?", 5);
        cached.relevant(RUI, "o meu aniversário", 5);

        CacheStats stats = cached.cacheStats().get(0);
        assertThat(stats.name()).isEqualTo("memories");
        assertThat(stats.hits()).isEqualTo(1);
        assertThat(stats.misses()).isEqualTo(2);
        assertThat(stats.loadSuccesses()).isEqualTo(2);
        assertThat(stats.size()).isEqualTo(2);
    }

    @Test
    void shouldRejectANonPositiveLimit() {
        assertThatThrownBy(() -> cached.relevant(ANA, "o meu gato", 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("limit must be positive, got 0");
    }

    private MemoryStore gated(InMemoryMemoryStore delegate) {
        return new FailingStore(delegate) {
            @Override
            public List<Memory> relevant(UserId user, String message, int limit) {
                List<Memory> found = super.relevant(user, message, limit);
                gate.pass();
                return found;
            }
        };
    }

    /** Delegates, or throws from {@link #relevant} while {@link #down}. */
    private static class FailingStore implements MemoryStore {
        private final MemoryStore delegate;
        volatile boolean down;

        FailingStore(MemoryStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public List<Memory> relevant(UserId user, String message, int limit) {
            if (down) {
                throw new IllegalStateException("memory store down");
            }
            return delegate.relevant(user, message, limit);
        }

        @Override
        public Memory add(UserId user, String text) {
            return delegate.add(user, text);
        }

        @Override
        public List<Memory> list(UserId user) {
            return delegate.list(user);
        }

        @Override
        public boolean delete(UserId user, long memoryId) {
            return delegate.delete(user, memoryId);
        }
    }
}
