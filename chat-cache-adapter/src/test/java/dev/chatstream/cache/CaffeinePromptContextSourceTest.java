package dev.chatstream.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chatstream.core.Device;
import dev.chatstream.core.ErrorCode;
import dev.chatstream.core.HomeContext;
import dev.chatstream.core.HomeContextStore;
import dev.chatstream.core.HomeContextStoreContract;
import dev.chatstream.core.InMemoryPromptContextSource;
import dev.chatstream.core.PromptContextSource;
import dev.chatstream.core.PromptContextSourceContract;
import dev.chatstream.core.TransientException;
import dev.chatstream.core.UserId;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class CaffeinePromptContextSourceTest {
    private static final UserId ANA = UserId.of("ana");
    private static final UserId RUI = UserId.of("rui");
    private static final HomeContext SALA = home("climate.sala");
    private static final HomeContext QUARTO = home("light.quarto");

    private final FakeTicker ticker = new FakeTicker();
    private final ManualExecutor reloads = new ManualExecutor();
    private final InMemoryPromptContextSource source = new InMemoryPromptContextSource("base v1");
    private final Gate gate = new Gate();
    private final CaffeinePromptContextSource cached =
            new CaffeinePromptContextSource(gated(source), CacheSettings.defaults(), ticker, reloads);

    @Nested
    class ObeysTheSourceContract extends PromptContextSourceContract {
        @Override
        protected PromptContextSource newSource(String basePrompt, Map<UserId, HomeContext> homes) {
            InMemoryPromptContextSource delegate = new InMemoryPromptContextSource(basePrompt);
            homes.forEach(delegate::put);
            return CaffeinePromptContextSource.wrap(delegate, CacheSettings.defaults());
        }
    }

    @Nested
    class ObeysTheStoreContractWhenWritesGoThroughIt extends HomeContextStoreContract {
        @Override
        protected HomeContextStore newStore() {
            InMemoryPromptContextSource delegate = new InMemoryPromptContextSource();
            return CaffeinePromptContextSource.wrap(delegate, CacheSettings.defaults()).homeContextStore(delegate);
        }
    }

    @Test
    void shouldKeepTheBasePromptForOneHour() {
        assertThat(cached.baseSystemPrompt()).isEqualTo("base v1");
        source.setBasePrompt("base v2");

        ticker.advance(Duration.ofMinutes(59).plusSeconds(59));
        assertThat(cached.baseSystemPrompt()).isEqualTo("base v1");
        assertThat(source.baseLoads()).isEqualTo(1);

        ticker.advance(Duration.ofSeconds(1));
        assertThat(cached.baseSystemPrompt()).as("at one hour").isEqualTo("base v2");
        assertThat(source.baseLoads()).isEqualTo(2);
    }

    @Test
    void shouldKeepEachUsersHomeForTenMinutes() {
        source.put(ANA, SALA).put(RUI, QUARTO);
        assertThat(cached.homeContext(ANA)).isEqualTo(SALA);
        assertThat(cached.homeContext(RUI)).isEqualTo(QUARTO);
        source.put(ANA, QUARTO);

        ticker.advance(Duration.ofMinutes(9).plusSeconds(59));
        assertThat(cached.homeContext(ANA)).isEqualTo(SALA);
        assertThat(source.homeLoads()).as("one load per user").isEqualTo(2);

        ticker.advance(Duration.ofSeconds(1));
        assertThat(cached.homeContext(ANA)).as("at ten minutes").isEqualTo(QUARTO);
        assertThat(source.homeLoads()).isEqualTo(3);
    }

    @Test
    void shouldUseTheConfiguredTtl() {
        CacheSettings settings = CacheSettings.defaults()
                .withHomeContext(CacheSpec.of(Duration.ofSeconds(30), Duration.ZERO, 100));
        CaffeinePromptContextSource shortLived =
                new CaffeinePromptContextSource(source, settings, ticker, reloads);
        source.put(ANA, SALA);
        shortLived.homeContext(ANA);
        source.put(ANA, QUARTO);

        ticker.advance(Duration.ofSeconds(30));

        assertThat(shortLived.homeContext(ANA)).isEqualTo(QUARTO);
    }

    @Test
    void shouldReloadAheadOfExpiryWhileCallersKeepTheCurrentValue() {
        source.put(ANA, SALA);
        cached.homeContext(ANA);
        source.put(ANA, QUARTO);

        ticker.advance(Duration.ofMinutes(8)); // 80% of ten minutes
        assertThat(cached.homeContext(ANA)).as("served at once, not reloaded by the caller").isEqualTo(SALA);
        assertThat(cached.homeContext(ANA)).isEqualTo(SALA);
        assertThat(source.homeLoads()).as("the reload waits in the background").isEqualTo(1);

        reloads.runAll();

        assertThat(source.homeLoads()).as("one reload for both reads").isEqualTo(2);
        assertThat(cached.homeContext(ANA)).isEqualTo(QUARTO);
        ticker.advance(Duration.ofMinutes(9));
        assertThat(cached.homeContext(ANA)).as("the reload restarted the ttl").isEqualTo(QUARTO);
        assertThat(source.homeLoads()).isEqualTo(2);
        assertThat(stats("home_context").refreshes()).isEqualTo(1);
    }

    @Test
    void shouldServeTheLastGoodValueForTheGracePeriodWhileReloadsFail() {
        source.put(ANA, SALA);
        cached.homeContext(ANA);
        source.failWith(new TransientException(ErrorCode.CONTEXT_UNAVAILABLE, "home store down"));

        ticker.advance(Duration.ofMinutes(8));
        assertThat(cached.homeContext(ANA)).isEqualTo(SALA);
        reloads.runAll(); // fails

        ticker.advance(Duration.ofMinutes(2)); // at the ttl
        assertThat(cached.homeContext(ANA)).isEqualTo(SALA);
        reloads.runAll(); // fails again
        ticker.advance(Duration.ofMinutes(5).minusNanos(1)); // just inside the 5 minute grace
        assertThat(cached.homeContext(ANA)).isEqualTo(SALA);
        reloads.runAll();

        ticker.advance(Duration.ofNanos(1));
        assertThatThrownBy(() -> cached.homeContext(ANA))
                .as("after the grace the failure reaches the caller")
                .isInstanceOf(TransientException.class)
                .hasMessage("home store down", null);
        CacheStats stats = stats("home_context");
        assertThat(stats.staleServed()).isEqualTo(2);
        assertThat(stats.loadFailures()).isEqualTo(4);
    }

    @Test
    void shouldGoBackToFreshValuesWhenTheSourceRecovers() {
        source.put(ANA, SALA);
        cached.homeContext(ANA);
        source.failWith(new TransientException(ErrorCode.CONTEXT_UNAVAILABLE, "home store down"));
        ticker.advance(Duration.ofMinutes(11));
        assertThat(cached.homeContext(ANA)).as("expired, reload failed, grace").isEqualTo(SALA);

        source.recover();
        source.put(ANA, QUARTO);
        assertThat(cached.homeContext(ANA)).as("still the last good value; this read starts a reload")
                .isEqualTo(SALA);
        reloads.runAll();

        assertThat(cached.homeContext(ANA)).isEqualTo(QUARTO);
        ticker.advance(Duration.ofMinutes(9));
        assertThat(cached.homeContext(ANA)).as("fresh for a whole ttl again").isEqualTo(QUARTO);
    }

    @Test
    void shouldServeTheLastGoodValueWhenAnExpiredEntryCannotBeReloaded() {
        source.put(ANA, SALA);
        cached.homeContext(ANA);
        source.failWith(new TransientException(ErrorCode.CONTEXT_UNAVAILABLE, "home store down"));

        ticker.advance(Duration.ofMinutes(10)); // nobody read it during the refresh window

        assertThat(cached.homeContext(ANA)).isEqualTo(SALA);
        assertThat(source.homeLoads()).as("tried once, synchronously").isEqualTo(2);
        assertThat(cached.homeContext(ANA)).isEqualTo(SALA);
        assertThat(source.homeLoads()).as("not again on the caller's time").isEqualTo(2);
    }

    @Test
    void shouldPassTheSourcesErrorOnWhenNothingIsCached() {
        TransientException down = new TransientException(ErrorCode.CONTEXT_UNAVAILABLE, "home store down");
        source.failWith(down);

        assertThatThrownBy(() -> cached.homeContext(ANA)).isSameAs(down);
        assertThatThrownBy(() -> cached.baseSystemPrompt()).isSameAs(down);

        source.recover();
        assertThat(cached.homeContext(ANA)).as("a failure is not cached").isEqualTo(HomeContext.empty());
    }

    @Test
    void shouldLoadAMissingHomeOnceForManyConcurrentCallers() throws InterruptedException {
        source.put(ANA, SALA);

        List<HomeContext> homes = Crowd.callTogether(16, gate, () -> cached.homeContext(ANA));

        assertThat(homes).hasSize(16).containsOnly(SALA);
        assertThat(source.homeLoads()).isEqualTo(1);
    }

    @Test
    void shouldReloadAnExpiredHomeOnceForManyConcurrentCallers() throws InterruptedException {
        source.put(ANA, SALA);
        cached.homeContext(ANA);
        source.put(ANA, QUARTO);
        ticker.advance(Duration.ofMinutes(10));

        List<HomeContext> homes = Crowd.callTogether(16, gate, () -> cached.homeContext(ANA));

        assertThat(homes).hasSize(16).containsOnly(QUARTO);
        assertThat(source.homeLoads()).isEqualTo(2);
    }

    @Test
    void shouldDropAUsersHomeAtOnceWhenItIsChangedThroughTheStore() {
        HomeContextStore store = cached.homeContextStore(source);
        source.put(ANA, SALA).put(RUI, SALA);
        cached.homeContext(ANA);
        cached.homeContext(RUI);

        store.replaceHomeContext(ANA, QUARTO);

        assertThat(cached.homeContext(ANA)).isEqualTo(QUARTO);
        assertThat(cached.homeContext(RUI)).as("another user's entry stays").isEqualTo(SALA);
        assertThat(source.homeLoads()).isEqualTo(3);
    }

    @Test
    void shouldNotLetAReloadThatStartedBeforeAChangeBringTheOldHomeBack() throws Exception {
        ExecutorService oneThread = Executors.newSingleThreadExecutor();
        CaffeinePromptContextSource live = new CaffeinePromptContextSource(gated(source),
                CacheSettings.defaults(), ticker, oneThread);
        HomeContextStore store = live.homeContextStore(source);
        source.put(ANA, SALA);
        live.homeContext(ANA);
        ticker.advance(Duration.ofMinutes(8));
        gate.arm();
        live.homeContext(ANA); // starts a background reload
        gate.awaitArrival(); // it has read SALA and is held

        store.replaceHomeContext(ANA, QUARTO);
        gate.release();
        oneThread.submit(() -> { }).get(); // the held reload has finished and tried to store SALA
        oneThread.shutdown();

        assertThat(live.homeContext(ANA)).isEqualTo(QUARTO);
        assertThat(source.homeLoads()).as("the old reload's value was discarded").isEqualTo(3);
    }

    @Test
    void shouldNeverReturnOneUsersHomeToAnother() {
        HomeContextStore store = cached.homeContextStore(source);
        List<UserId> users = List.of(ANA, RUI, UserId.of("eva"));
        Random random = new Random(42);
        for (int step = 0; step < 2_000; step++) {
            UserId user = users.get(random.nextInt(users.size()));
            switch (random.nextInt(4)) {
                case 0 -> store.replaceHomeContext(user, home("light." + user.value() + step));
                case 1 -> ticker.advance(Duration.ofSeconds(random.nextInt(120)));
                case 2 -> reloads.runAll();
                default -> {
                    HomeContext home = cached.homeContext(user);
                    assertThat(home).as("step %d, %s", step, user).isEqualTo(source.homeContext(user));
                    assertThat(home.devices()).allMatch(d -> d.entityId().startsWith("light." + user.value()));
                }
            }
        }
    }

    @Test
    void shouldCountHitsMissesLoadsAndLoadTime() {
        CaffeinePromptContextSource timed = new CaffeinePromptContextSource(new PromptContextSource() {
            @Override
            public String baseSystemPrompt() {
                ticker.advance(Duration.ofMillis(30));
                return "base";
            }

            @Override
            public HomeContext homeContext(UserId user) {
                return HomeContext.empty();
            }
        }, CacheSettings.defaults(), ticker, reloads);

        timed.baseSystemPrompt();
        timed.baseSystemPrompt();
        timed.baseSystemPrompt();
        timed.homeContext(ANA);

        CacheStats base = timed.cacheStats().get(0);
        assertThat(base.name()).isEqualTo("base_prompt");
        assertThat(base.hits()).isEqualTo(2);
        assertThat(base.misses()).isEqualTo(1);
        assertThat(base.loadSuccesses()).isEqualTo(1);
        assertThat(base.totalLoadTime()).isEqualTo(Duration.ofMillis(30));
        assertThat(base.hitRate()).isEqualTo(2.0 / 3);
        assertThat(base.size()).isEqualTo(1);
        assertThat(timed.cacheStats().get(1).name()).isEqualTo("home_context");
        assertThat(timed.cacheStats().get(1).misses()).isEqualTo(1);
    }

    @Test
    void shouldCountEvictionsBeyondTheMaximumSize() {
        CacheSettings settings = CacheSettings.defaults()
                .withHomeContext(CacheSettings.defaults().homeContext().withMaximumSize(2));
        CaffeinePromptContextSource small = new CaffeinePromptContextSource(source, settings, ticker, Runnable::run);

        for (int i = 0; i < 10; i++) {
            small.homeContext(UserId.of("user" + i));
        }
        small.cleanUp();

        CacheStats homes = small.cacheStats().get(1);
        assertThat(homes.evictions()).isEqualTo(8);
        assertThat(homes.size()).isEqualTo(2);
    }

    @Test
    void shouldDropEverythingOnInvalidateAll() {
        source.put(ANA, SALA);
        cached.baseSystemPrompt();
        cached.homeContext(ANA);
        source.setBasePrompt("base v2");
        source.put(ANA, QUARTO);

        cached.invalidateAll();

        assertThat(cached.baseSystemPrompt()).isEqualTo("base v2");
        assertThat(cached.homeContext(ANA)).isEqualTo(QUARTO);
    }

    private CacheStats stats(String name) {
        return cached.cacheStats().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    private PromptContextSource gated(InMemoryPromptContextSource delegate) {
        return new PromptContextSource() {
            @Override
            public String baseSystemPrompt() {
                String prompt = delegate.baseSystemPrompt();
                gate.pass();
                return prompt;
            }

            @Override
            public HomeContext homeContext(UserId user) {
                HomeContext home = delegate.homeContext(user);
                gate.pass();
                return home;
            }
        };
    }

    private static HomeContext home(String entityId) {
        return new HomeContext(List.of(new Device(entityId, entityId, "", List.of())));
    }
}
