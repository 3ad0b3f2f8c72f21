package dev.chatstream.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SearchTermsTest {
    @Test
    void shouldKeepOnlyContentWordsFoldedAndOnce() {
        assertThat(SearchTerms.of("Lembras-te do que eu GOSTO? Gosto de Chá!")).containsExactly("gosto", "cha");
    }

    @Test
    void shouldLeaveNothingThatSearchSyntaxCouldUse() {
        assertThat(SearchTerms.of("\"*\" NEAR(a b) OR col:x ^ - ' ; --")).containsExactly("near", "col");
    }

    @Test
    void shouldMatchLongerTermsAsLightlyStemmedPrefixes() {
        assertThat(SearchTerms.fts5(SearchTerms.of("os meus gatos gostos birthdays de dia")))
                .isEqualTo("\"gato\"* OR \"gost\"* OR \"birthday\"* OR \"dia\"");
    }
}
