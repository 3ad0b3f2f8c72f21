package dev.chatstream.app;

import static dev.chatstream.app.ConversationsIT.contents;
import static dev.chatstream.app.ConversationsIT.conversationIdOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.chatstream.ollama.FakeOllama.Reply;
import dev.chatstream.store.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Durability: everything written through the server (conversations, memories, home, tokens) is there after
 * the server stops and starts again, with SQLite in the data directory and with PostgreSQL.
 */
class RestartIT {
    @Test
    void shouldKeepEverythingAcrossARestartOnSqlite() throws Exception {
        Path dataDir = Files.createTempDirectory("chatstream-restart");
        restartKeepsEverything(env -> {
            env.put("CHATSTREAM_DATA_DIR", dataDir.toString());
            return env;
        });
    }

    @Test
    void shouldKeepEverythingAcrossARestartOnPostgres() {
        var database = TestPostgres.shared().newDatabase();
        restartKeepsEverything(env -> {
            env.put("CHATSTREAM_STORE_URL", database.jdbcUrl());
            env.put("CHATSTREAM_STORE_USER", database.username());
            return env;
        });
    }

    private static void restartKeepsEverything(UnaryOperator<Map<String, String>> settings) {
        long conversation;
        String token;
        try (ServerFixture first = new ServerFixture(settings)) {
            token = first.anaToken;
            first.ollama.enqueue(Reply.tokens("Olá Ana!"));
            conversation = conversationIdOf(first.chat("Olá, sou a Ana"));
            first.send(first.post("api/memories", token, "{\"text\": \"A Ana gosta de chá verde\"}"));
            first.send(first.put("api/context", token,
                    "{\"devices\": [{\"entity_id\": \"light.sala\", \"name\": \"Luz da sala\"}]}"));
        }

        try (ServerFixture second = new ServerFixture(settings)) {
            assertThat(second.firstStartOutput).as("no second admin token on a restart").isEmpty();
            assertThat(contents(second, token, conversation))
                    .containsExactly("user:Olá, sou a Ana:complete", "assistant:Olá Ana!:complete");
            assertThat(second.send(second.get("api/memories", token)).body()).contains("A Ana gosta de chá verde");
            assertThat(second.send(second.get("api/context", token)).body()).contains("light.sala");

            second.ollama.enqueue(Reply.tokens("Chá verde."));
            second.send(second.post("api/chat/stream/", token,
                    "{\"message\": \"Lembras-te do que eu gosto?\", \"conversation_id\": " + conversation + "}"));
            assertThat(second.ollama.chatBodies().getLast()).contains("Olá, sou a Ana", "A Ana gosta de chá verde",
                    "light.sala");
        }
    }
}
