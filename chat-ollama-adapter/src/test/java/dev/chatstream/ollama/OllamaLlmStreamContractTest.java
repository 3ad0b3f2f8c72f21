package dev.chatstream.ollama;

import dev.chatstream.core.LlmStream;
import dev.chatstream.core.LlmStreamContract;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/** The Ollama adapter obeys the {@link LlmStream} contract against a real HTTP fake. */
class OllamaLlmStreamContractTest extends LlmStreamContract {
    private final FakeOllama ollama = FakeOllama.start();

    @AfterEach
    void stop() {
        ollama.close();
    }

    private LlmStream client() {
        return OllamaLlmStream.create(OllamaConfig.defaults().withBaseUrl(ollama.baseUrl()));
    }

    @Override
    protected LlmStream replying(List<String> pieces) {
        ollama.enqueue(FakeOllama.Reply.tokens(pieces.toArray(String[]::new)));
        return client();
    }

    @Override
    protected LlmStream stallingBeforeFirstToken() {
        ollama.enqueue(FakeOllama.Reply.stream().stall());
        return client();
    }

    @Override
    protected LlmStream stallingAfter(List<String> pieces) {
        FakeOllama.Reply reply = FakeOllama.Reply.stream();
        pieces.forEach(reply::token);
        ollama.enqueue(reply.stall());
        return client();
    }

    @Override
    protected LlmStream failingBeforeFirstToken() {
        ollama.enqueue(FakeOllama.Reply.status(503, "server busy, please try again.  maximum pending requests exceeded"));
        return client();
    }

    @Override
    protected boolean upstreamSawCancel(Duration timeout) {
        return ollama.awaitClientDisconnect(timeout);
    }
}
