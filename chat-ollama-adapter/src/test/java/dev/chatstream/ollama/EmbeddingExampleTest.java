package dev.chatstream.ollama;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatstream.core.Action;
import dev.chatstream.core.Cancellation;
import dev.chatstream.core.ChatEvent;
import dev.chatstream.core.ChatRequest;
import dev.chatstream.core.ChatSettings;
import dev.chatstream.core.ChatStreamer;
import dev.chatstream.core.InMemoryMemoryStore;
import dev.chatstream.core.InMemoryPromptContextSource;
import dev.chatstream.core.RecordingEventSink;
import dev.chatstream.core.UserId;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The README's embedding example, end to end over real HTTP: core + Ollama adapter + fake Ollama. */
class EmbeddingExampleTest {

    @Test
    void shouldStreamAReplyAndItsActionThroughTheCoreAndTheAdapter() {
        try (FakeOllama ollama = FakeOllama.start()) {
            ollama.enqueue(FakeOllama.Reply.tokens("Vou ligar ", "o ar condicionado", " da sala a 22 graus.\n",
                    "ACT", "ION: {\"tool\": \"homeassistant_call_service\", \"args\": {\"domain\": \"climate\", ",
                    "\"service\": \"set_temperature\", \"entity_id\": \"climate.sala\", \"temperature\": 22}}"));
            OllamaLlmStream llm = OllamaLlmStream.create(OllamaConfig.defaults().withBaseUrl(ollama.baseUrl()));
            ChatStreamer streamer = new ChatStreamer(llm, new InMemoryPromptContextSource(), new InMemoryMemoryStore(),
                    Clock.systemDefaultZone(), ChatSettings.defaults());
            RecordingEventSink sink = new RecordingEventSink();

            streamer.stream(ChatRequest.of(UserId.of("ana"), "Liga o ar condicionado da sala a 22 graus"), sink,
                    new Cancellation());

            assertThat(sink.text()).isEqualTo("Vou ligar o ar condicionado da sala a 22 graus.\n");
            assertThat(sink.events()).contains(
                    new ChatEvent.FinalText("Vou ligar o ar condicionado da sala a 22 graus."),
                    new ChatEvent.ActionRequested(new Action("homeassistant_call_service", Map.of("domain", "climate",
                            "service", "set_temperature", "entity_id", "climate.sala", "temperature", 22L))));
            assertThat(sink.terminal()).isInstanceOfSatisfying(ChatEvent.Done.class,
                    done -> assertThat(done.usage().completionTokens()).isEqualTo(20));
            assertThat(ollama.chatBodies().get(0)).contains("Current date and time:", "ACTION:");
        }
    }
}
