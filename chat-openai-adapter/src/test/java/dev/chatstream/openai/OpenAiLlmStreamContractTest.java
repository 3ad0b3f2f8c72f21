package dev.chatstream.openai;

import dev.chatstream.core.LlmStream;
import dev.chatstream.core.LlmStreamContract;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/** The OpenAI-compatible adapter obeys the {@link LlmStream} contract against a real HTTP fake of llama-server. */
class OpenAiLlmStreamContractTest extends LlmStreamContract {
    private final FakeOpenAi server = FakeOpenAi.start();

    @AfterEach
    void stop() {
        server.close();
    }

    private LlmStream client() {
        return OpenAiLlmStream.create(OpenAiConfig.of(server.baseUrl()).withModel("qwen2.5-7b-instruct"));
    }

    @Override
    protected LlmStream replying(List<String> pieces) {
        server.enqueue(FakeOpenAi.Reply.tokens(pieces.toArray(String[]::new)));
        return client();
    }

    @Override
    protected LlmStream stallingBeforeFirstToken() {
        server.enqueue(FakeOpenAi.Reply.silent().headersFirst().stall());
        return client();
    }

    @Override
    protected LlmStream stallingAfter(List<String> pieces) {
        FakeOpenAi.Reply reply = FakeOpenAi.Reply.stream();
        pieces.forEach(reply::token);
        server.enqueue(reply.stall());
        return client();
    }

    @Override
    protected LlmStream failingBeforeFirstToken() {
        server.enqueue(FakeOpenAi.Reply.status(503, "Loading model"));
        return client();
    }

    @Override
    protected boolean upstreamSawCancel(Duration timeout) {
        return server.awaitClientDisconnect(timeout);
    }
}
