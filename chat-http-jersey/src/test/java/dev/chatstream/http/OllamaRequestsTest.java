package dev.chatstream.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chatstream.core.ChatMessage;
import dev.chatstream.core.UserId;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Ollama's {@code /api/chat} body as chatstream runs it, and the words of each refusal. */
class OllamaRequestsTest {
    private static final UserId ANA = UserId.of("ana");

    private static OllamaRequests.Read read(String json) {
        return OllamaRequests.read(json.getBytes(StandardCharsets.UTF_8), ANA, true);
    }

    private static void refused(String json, String message) {
        assertThatThrownBy(() -> read(json)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.getMessage()).isEqualTo(message);
        });
    }

    @Test
    void shouldStreamByDefaultAndPassTheBackendsFieldsThrough() {
        OllamaRequests.Read r = read("""
                {"model": "qwen3:8b", "keep_alive": "10m", "options": {"num_ctx": 8192}, "think": "low",
                 "format": "json", "tools": [], "temperature": 9,
                 "messages": [{"role": "user", "content": "Olá"}]}""");

        assertThat(r.stream()).isTrue();
        assertThat(r.model()).isEqualTo("qwen3:8b");
        assertThat(r.request().options().includeThinking()).as("think asks for the reasoning").isTrue();
        assertThat(r.request().options().passthrough()).isEqualTo(Map.of("keep_alive", "10m", "options",
                Map.of("num_ctx", 8192), "think", "low", "format", "json", "tools", List.of()));
    }

    @Test
    void shouldKeepAToolLoopAsTextWithTrailingResultsAsTheNewMessage() {
        OllamaRequests.Read r = read("""
                {"stream": false, "messages": [
                  {"role": "user", "content": "Liga a luz e o ar"},
                  {"role": "assistant", "content": "", "tool_calls": [
                    {"function": {"name": "HassTurnOn", "arguments": {"name": "luz"}}},
                    {"function": {"name": "homeassistant_call_service", "arguments": {"domain": "climate"}}}]},
                  {"role": "tool", "tool_name": "HassTurnOn", "content": "ok"},
                  {"role": "tool", "content": "done"}]}""");

        assertThat(r.stream()).isFalse();
        assertThat(r.request().history()).containsExactly(ChatMessage.user("Liga a luz e o ar"),
                ChatMessage.assistant("[called HassTurnOn with {\"name\":\"luz\"}]\nACTION: {\"tool\": "
                        + "\"homeassistant_call_service\", \"args\": {\"domain\":\"climate\"}}"));
        assertThat(r.request().message()).isEqualTo("[HassTurnOn returned: ok]\n[the tool returned: done]");
        assertThat(r.request().options().includeThinking()).isFalse();
        assertThat(r.request().options().passthrough()).isEmpty();
    }

    @Test
    void shouldRefuseWhatItCannotAnswerNamingTheField() {
        refused("{\"messages\": []}", "messages is required: a list of {\"role\", \"content\"} objects ending with "
                + "the user's (or with tool results)");
        refused("{\"messages\": [{\"role\": \"user\", \"content\": \"a\", \"images\": [\"iVBOR\"]}]}",
                "messages[0].images: images are not supported; send text only");
        refused("{\"stream\": 1, \"messages\": [{\"role\": \"user\", \"content\": \"a\"}]}",
                "stream must be true or false");
        refused("{\"options\": [], \"messages\": [{\"role\": \"user\", \"content\": \"a\"}]}",
                "options must be an object such as {\"num_ctx\": 8192}");
        refused("{\"messages\": [{\"role\": \"user\", \"content\": 5}]}", "messages[0].content must be a string");
        assertThatThrownBy(() -> OllamaRequests.read(("{\"messages\": [{\"role\": \"system\", \"content\": \"x\"}, "
                + "{\"role\": \"user\", \"content\": \"a\"}]}").getBytes(StandardCharsets.UTF_8), ANA, false))
                .hasMessageStartingWith("messages[0]: this server does not accept system messages from clients");
    }
}
