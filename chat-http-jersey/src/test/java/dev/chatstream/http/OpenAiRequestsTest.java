package dev.chatstream.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chatstream.core.ChatMessage;
import dev.chatstream.core.ChatRequest;
import dev.chatstream.core.ChatSettings;
import dev.chatstream.core.InvalidRequestException;
import dev.chatstream.core.UserId;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** OpenAI's chat completions body as chatstream runs it, and the words of each refusal. */
class OpenAiRequestsTest {
    private static final UserId ANA = UserId.of("ana");

    private static OpenAiRequests.Read read(String json) {
        return OpenAiRequests.read(json.getBytes(StandardCharsets.UTF_8), ANA, true);
    }

    private static void refused(String json, String message) {
        assertThatThrownBy(() -> read(json)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.code()).isEqualTo("invalid_request");
            assertThat(e.getMessage()).isEqualTo(message);
        });
    }

    @Test
    void shouldTakeTheLastUserMessageTheHistoryAndTheSystemTextApart() {
        OpenAiRequests.Read r = read("""
                {"model": "qwen3:8b", "stream": true, "stream_options": {"include_usage": true},
                 "include_reasoning": true, "temperature": 0.2, "tools": [],
                 "messages": [
                   {"role": "system", "content": "You are Jarvis."},
                   {"role": "user", "content": [{"type": "text", "text": "Liga "}, {"type": "text", "text": "o ar"}]},
                   {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function",
                     "function": {"name": "homeassistant_call_service",
                                  "arguments": "{\\"domain\\": \\"climate\\", \\"service\\": \\"turn_on\\"}"}},
                    {"id": "call_2", "type": "function", "function": {"name": "web_search", "arguments": "{}"}}]},
                   {"role": "tool", "tool_call_id": "call_1", "content": "ok"},
                   {"role": "developer", "content": "Answer briefly."},
                   {"role": "assistant", "content": "Feito."},
                   {"role": "user", "content": "Obrigado"}
                 ]}""");

        ChatRequest request = r.request();
        assertThat(request.message()).isEqualTo("Obrigado");
        assertThat(request.history()).containsExactly(ChatMessage.user("Liga o ar"),
                ChatMessage.assistant("ACTION: {\"tool\": \"homeassistant_call_service\", \"args\": "
                        + "{\"domain\":\"climate\",\"service\":\"turn_on\"}}"),
                ChatMessage.assistant("Feito."));
        assertThat(r.historyIndex()).containsExactly(1, 2, 5);
        assertThat(request.options().instructions()).isEqualTo("You are Jarvis.\n\nAnswer briefly.");
        assertThat(request.options().model()).isEqualTo("qwen3:8b");
        assertThat(request.options().includeThinking()).isTrue();
        assertThat(request.conversationId()).isEmpty();
        assertThat(r.stream()).isTrue();
        assertThat(r.includeUsage()).isTrue();
    }

    @Test
    void shouldDefaultToTheConfiguredModelWithoutStreaming() {
        OpenAiRequests.Read r = read("{\"messages\": [{\"role\": \"user\", \"content\": \"Olá\"}]}");

        assertThat(r.model()).isEmpty();
        assertThat(r.request().options().modelOverride()).isEmpty();
        assertThat(r.stream()).isFalse();
        assertThat(r.includeUsage()).isFalse();
        assertThat(r.request().options().instructions()).isEmpty();
    }

    @Test
    void shouldRefuseWhatItCannotAnswerNamingTheField() {
        refused("[]", "The body must be a JSON object such as {\"model\": \"llama3.2\", \"messages\": [{\"role\": "
                + "\"user\", \"content\": \"Hello\"}]}");
        refused("{\"model\": \"m\"}", "messages is required: a list of {\"role\", \"content\"} objects ending with the "
                + "user's");
        refused("{\"model\": 3, \"messages\": [{\"role\": \"user\", \"content\": \"a\"}]}",
                "model must be a string, a model name such as \"llama3.2\" (GET /v1/models lists them)");
        refused("{\"n\": 2, \"messages\": [{\"role\": \"user\", \"content\": \"a\"}]}",
                "n must be 1: chatstream answers with one choice");
        refused("{\"stream\": \"yes\", \"messages\": [{\"role\": \"user\", \"content\": \"a\"}]}",
                "stream must be true or false");
        refused("{\"stream_options\": {\"include_usage\": 1}, \"messages\": [{\"role\": \"user\", \"content\": \"a\"}]}",
                "stream_options.include_usage must be true or false");
        refused("{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"tool\", \"content\": \"b\"}]}",
                "The last message must be the user's (role \"user\"), got role \"tool\" in messages[1]");
        refused("{\"messages\": [{\"role\": \"robot\", \"content\": \"a\"}, {\"role\": \"user\", \"content\": \"b\"}]}",
                "messages[0].role must be \"system\", \"user\", \"assistant\" or \"tool\", got \"robot\"");
        refused("{\"messages\": [{\"role\": \"user\"}]}", "messages[0].content is required");
        refused("{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"input_audio\"}]}]}",
                "messages[0].content[0] is of type \"input_audio\": only text parts are supported");
        refused("{\"messages\": [{\"role\": \"user\", \"content\": {\"text\": \"a\"}}]}",
                "messages[0].content must be a string or a list of {\"type\": \"text\", \"text\"} parts");
    }

    @Test
    void shouldRefuseSystemMessagesWhenTheServerIsSetTo() {
        assertThatThrownBy(() -> OpenAiRequests.read(("{\"messages\": [{\"role\": \"system\", \"content\": \"x\"}, "
                + "{\"role\": \"user\", \"content\": \"a\"}]}").getBytes(StandardCharsets.UTF_8), ANA, false))
                .isInstanceOf(ApiException.class)
                .hasMessage("messages[0]: this server does not accept system messages from clients (client.system = "
                        + "refuse); its own base prompt applies. Leave them out");
    }

    /** The use case names its fields (history[1]); the client sent messages, so that is what the refusal names. */
    @Test
    void shouldNameTheUseCasesRefusalsInTheClientsTerms() {
        OpenAiRequests.Read r = read("{\"messages\": [{\"role\": \"system\", \"content\": \"s\"}, {\"role\": \"user\", "
                + "\"content\": \"a\"}, {\"role\": \"assistant\", \"content\": \"" + "b".repeat(40) + "\"}, "
                + "{\"role\": \"user\", \"content\": \"c\"}]}");
        var validator = new dev.chatstream.core.ChatStreamer(dev.chatstream.core.ScriptedLlmStream.replying("x"),
                new dev.chatstream.core.InMemoryPromptContextSource("base"), new dev.chatstream.core.InMemoryMemoryStore(),
                java.time.Clock.systemUTC(), ChatSettings.defaults().withHistoryLimits(10, 30, 1000));

        assertThatThrownBy(() -> validator.validate(r.request()))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(r.inClientTerms(e))
                        .isEqualTo("messages[2].content is too long: 40 characters, the limit is 30"));
    }
}
