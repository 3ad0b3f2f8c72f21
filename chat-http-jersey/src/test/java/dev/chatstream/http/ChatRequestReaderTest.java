package dev.chatstream.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chatstream.core.ChatMessage;
import dev.chatstream.core.ChatRequest;
import dev.chatstream.core.Role;
import dev.chatstream.core.UserId;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The chat request's JSON and query forms, and the words of each refusal. */
class ChatRequestReaderTest {
    private static final UserId ANA = UserId.of("ana");

    private static ChatRequest read(String json) {
        return ChatRequestReader.read(json.getBytes(StandardCharsets.UTF_8), ANA).request();
    }

    private static void refused(String json, String message) {
        assertThatThrownBy(() -> read(json)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.code()).isEqualTo("invalid_request");
            assertThat(e.getMessage()).isEqualTo(message);
        });
    }

    @Test
    void shouldReadEveryField() {
        ChatRequest r = read("{\"message\": \"Olá\", \"history\": [{\"role\": \"user\", \"content\": \"a\"}, "
                + "{\"role\": \"assistant\", \"content\": \"b\"}], \"conversation_id\": 12, \"include_thinking\": true, "
                + "\"replace_from\": 40}");

        assertThat(r.user()).isEqualTo(ANA);
        assertThat(r.message()).isEqualTo("Olá");
        assertThat(r.history()).extracting(ChatMessage::role).containsExactly(Role.USER, Role.ASSISTANT);
        assertThat(r.conversationId()).hasValue(12);
        assertThat(r.options().includeThinking()).isTrue();
        assertThat(r.replaceFrom()).hasValue(40);
        assertThat(read("{\"message\": \"x\"}").replaceFrom()).isEmpty();
    }

    /** Issue 19: a turn is resumable only when the body says so. */
    @Test
    void shouldReadWhetherTheTurnIsResumable() {
        assertThat(ChatRequestReader.read("{\"message\": \"x\", \"resumable\": true}".getBytes(StandardCharsets.UTF_8),
                ANA).resumable()).isTrue();
        assertThat(ChatRequestReader.read("{\"message\": \"x\"}".getBytes(StandardCharsets.UTF_8), ANA).resumable())
                .isFalse();
    }

    @Test
    void shouldRefuseEachBadFieldNamingIt() {
        refused("[1]", "The body must be a JSON object such as {\"message\": \"...\"}");
        refused("{}", "message is required");
        refused("{\"message\": 3}", "message must be a string");
        refused("{\"message\": \"x\", \"include_thinking\": \"yes\"}", "include_thinking must be true or false");
        refused("{\"message\": \"x\", \"resumable\": \"yes\"}", "resumable must be true or false");
        refused("{\"message\": \"x\", \"conversation_id\": 0}", "conversation_id must be a positive whole number");
        refused("{\"message\": \"x\", \"conversation_id\": 1.5}", "conversation_id must be a positive whole number");
        refused("{\"message\": \"x\", \"replace_from\": \"7\"}",
                "replace_from must be the id of one of the conversation's user messages, a positive whole number");
        refused("{\"message\": \"x\", \"replace_from\": -2}",
                "replace_from must be the id of one of the conversation's user messages, a positive whole number");
        refused("{\"message\": \"x\", \"history\": {}}", "history must be a list of {\"role\", \"content\"} objects");
        refused("{\"message\": \"x\", \"history\": [{\"role\": \"robot\", \"content\": \"c\"}]}",
                "history[0].role must be \"user\" or \"assistant\", got \"robot\"");
        refused("{\"message\": \"x\", \"history\": [{\"role\": 1, \"content\": \"c\"}]}",
                "history[0].role must be \"user\" or \"assistant\"");
        refused("{\"message\": \"x\", \"history\": [{\"role\": \"user\"}]}", "history[0].content must be a string");
    }

    @Test
    void shouldTakeTheConversationFromTheQueryOnlyWhenItIsAPositiveNumber() {
        ChatRequest plain = ChatRequest.of(ANA, "Olá");

        assertThat(ChatRequestReader.withConversationParam(plain, Optional.empty())).isEqualTo(plain);
        assertThat(ChatRequestReader.withConversationParam(plain, Optional.of("7")).conversationId()).hasValue(7);
        assertThatThrownBy(() -> ChatRequestReader.withConversationParam(plain, Optional.of("-1")))
                .isInstanceOf(ApiException.class).hasMessage("conversation_id must be a positive whole number");
    }
}
