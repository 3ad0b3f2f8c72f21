package dev.chatstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SpeechFiguresTest {
    @Test
    void shouldCutAReplyIntoTokensAsAnLlmStreamsIt() {
        List<String> tokens = SpeechFigures.tokens("Olá, Ana! Amanhã chove 22.5 mm 🌧️.");

        assertThat(tokens).containsExactly("Olá", ",", " Ana", "!", " Aman", "hã", " chov", "e", " 22", ".", "5",
                " mm", " 🌧", "\uFE0F", ".");
        assertThat(SpeechFigures.replies()).hasSizeGreaterThan(100)
                .allSatisfy(r -> assertThat(String.join("", SpeechFigures.tokens(r))).isEqualTo(r));
    }

    @Test
    void shouldPublishBothRulesOnTheSameReplies() {
        String md = SpeechFigures.markdown();

        assertThat(md).contains("| chatstream's first `speech` segment |", "| Home Assistant: more than 60 characters",
                SpeechFigures.replies().size() + " hand-written assistant replies");
    }
}
