package dev.chatstream.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The rules every {@link PromptContextSource} obeys, sources and caching decorators alike. An
 * implementation's test extends this class and returns a source holding exactly what it is given.
 */
public abstract class PromptContextSourceContract {
    protected static final UserId ANA = UserId.of("ana");
    protected static final UserId RUI = UserId.of("rui");
    protected static final HomeContext ANAS_HOME = new HomeContext(List.of(
            new Device("climate.sala", "Ar condicionado da sala", "Sala", List.of("ar da sala"))));
    protected static final HomeContext RUIS_HOME = new HomeContext(List.of(
            new Device("light.quarto", "Luz do quarto", "Quarto", List.of())));

    /** A source with {@code basePrompt} and exactly {@code homes}; other users have none. */
    protected abstract PromptContextSource newSource(String basePrompt, Map<UserId, HomeContext> homes);

    @Test
    void shouldReturnTheBasePrompt() {
        PromptContextSource source = newSource("És um assistente da casa.", Map.of());

        assertThat(source.baseSystemPrompt()).isEqualTo("És um assistente da casa.");
        assertThat(source.baseSystemPrompt()).as("asked again").isEqualTo("És um assistente da casa.");
    }

    @Test
    void shouldReturnEachUsersOwnHome() {
        PromptContextSource source = newSource("base", Map.of(ANA, ANAS_HOME, RUI, RUIS_HOME));

        assertThat(source.homeContext(ANA)).isEqualTo(ANAS_HOME);
        assertThat(source.homeContext(RUI)).isEqualTo(RUIS_HOME);
        assertThat(source.homeContext(ANA)).as("asked again").isEqualTo(ANAS_HOME);
    }

    @Test
    void shouldReturnAnEmptyHomeForAUserWithout() {
        PromptContextSource source = newSource("base", Map.of(ANA, ANAS_HOME));

        assertThat(source.homeContext(UserId.of("nobody"))).isEqualTo(HomeContext.empty());
        assertThat(source.homeContext(ANA)).as("unaffected").isEqualTo(ANAS_HOME);
    }
}
