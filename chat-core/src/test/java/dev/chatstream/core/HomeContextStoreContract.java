package dev.chatstream.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rules every {@link HomeContextStore} obeys, stores and caching decorators alike: a change is seen by
 * the next read, and never by another user. An implementation's test extends this class and returns a
 * fresh, empty store.
 */
public abstract class HomeContextStoreContract {
    private static final UserId ANA = UserId.of("ana");
    private static final UserId RUI = UserId.of("rui");
    private static final Device SALA = new Device("climate.sala", "Ar condicionado da sala", "Sala",
            List.of("ar da sala", "AC"));
    private static final Device QUARTO = new Device("light.quarto", "Luz do quarto", "Quarto", List.of());

    /** A new, empty store. */
    protected abstract HomeContextStore newStore();

    @Test
    void shouldHaveAnEmptyHomeForANewUser() {
        assertThat(newStore().homeContext(ANA)).isEqualTo(HomeContext.empty());
    }

    @Test
    void shouldReturnTheHomeJustStored() {
        HomeContextStore store = newStore();

        store.replaceHomeContext(ANA, new HomeContext(List.of(SALA, QUARTO)));

        assertThat(store.homeContext(ANA).devices()).containsExactly(SALA, QUARTO);
    }

    @Test
    void shouldSeeAChangeAtOnceEvenAfterAnEarlierRead() {
        HomeContextStore store = newStore();
        store.replaceHomeContext(ANA, new HomeContext(List.of(SALA)));
        assertThat(store.homeContext(ANA).devices()).containsExactly(SALA); // a cache, if any, now holds it

        store.replaceHomeContext(ANA, new HomeContext(List.of(QUARTO)));

        assertThat(store.homeContext(ANA).devices()).containsExactly(QUARTO);
    }

    @Test
    void shouldEmptyAHomeByReplacingItWithAnEmptyOne() {
        HomeContextStore store = newStore();
        store.replaceHomeContext(ANA, new HomeContext(List.of(SALA)));
        store.homeContext(ANA);

        store.replaceHomeContext(ANA, HomeContext.empty());

        assertThat(store.homeContext(ANA)).isEqualTo(HomeContext.empty());
    }

    @Test
    void shouldNeverShowOrChangeAnotherUsersHome() {
        HomeContextStore store = newStore();
        store.replaceHomeContext(ANA, new HomeContext(List.of(SALA)));
        store.homeContext(RUI);

        store.replaceHomeContext(RUI, new HomeContext(List.of(QUARTO)));

        assertThat(store.homeContext(ANA).devices()).containsExactly(SALA);
        assertThat(store.homeContext(RUI).devices()).containsExactly(QUARTO);
    }
}
