package dev.chatstream.app;

import dev.chatstream.http.HomeContextJson;
import dev.chatstream.core.Json;
import static dev.chatstream.app.ConversationsIT.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chatstream.ollama.FakeOllama.Reply;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** /api/memories and /api/context over real HTTP: isolation, validation, and that prompts see changes at once. */
class StoreEndpointsIT {
    private static final String HOME = "{\"devices\": [{\"entity_id\": \"climate.sala\", \"name\": \"Ar condicionado "
            + "da sala\", \"area\": \"Sala\", \"aliases\": [\"ar da sala\", \"AC\"]}, {\"entity_id\": \"light.quarto\", "
            + "\"name\": \"Luz do quarto\"}]}";
    private static ServerFixture f;

    @BeforeAll
    static void start() {
        f = new ServerFixture();
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    private static HttpResponse<String> addMemory(String token, String json) {
        return f.send(f.post("api/memories", token, json));
    }

    @Test
    void shouldAddListAndDeleteOnlyTheCallersMemories() {
        HttpResponse<String> added = addMemory(f.anaToken, "{\"text\": \"  A Ana faz anos a 3 de maio  \"}");
        assertThat(added.statusCode()).isEqualTo(201);
        JsonNode memory = json(added.body());
        long id = memory.get("id").asLong();
        assertThat(memory.get("text").asText()).isEqualTo("A Ana faz anos a 3 de maio");
        assertThat(added.headers().firstValue("Location")).hasValueSatisfying(
                l -> assertThat(l).endsWith("/api/memories/" + id));

        assertThat(f.send(f.get("api/memories", f.anaToken)).body()).contains("A Ana faz anos a 3 de maio");
        assertThat(f.send(f.get("api/memories", f.ruiToken)).body()).doesNotContain("Ana faz anos");
        HttpResponse<String> ruiDeletes = f.send(f.delete("api/memories/" + id, f.ruiToken));
        assertThat(ruiDeletes.statusCode()).isEqualTo(404);
        assertThat(ruiDeletes.body()).contains("\"code\": \"memory_not_found\"");

        assertThat(f.send(f.delete("api/memories/" + id, f.anaToken)).statusCode()).isEqualTo(204);
        assertThat(f.send(f.get("api/memories", f.anaToken)).body()).doesNotContain("Ana faz anos");
    }

    @Test
    void shouldRefuseBadMemoriesWithTheReasonAndStoreNothing() {
        String before = f.send(f.get("api/memories", f.ruiToken)).body();

        HttpResponse<String> huge = addMemory(f.ruiToken, "{\"text\": \"" + "x".repeat(2001) + "\"}");
        HttpResponse<String> blank = addMemory(f.ruiToken, "{\"text\": \"   \"}");
        HttpResponse<String> missing = addMemory(f.ruiToken, "{\"memory\": \"x\"}");
        HttpResponse<String> notJson = f.send(HttpRequest.newBuilder(f.uri("api/memories"))
                .header("Authorization", "Bearer " + f.ruiToken).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("x")));

        assertThat(huge.statusCode()).isEqualTo(400);
        assertThat(huge.body()).contains("memory text is too long: 2001 characters, the limit is 2000");
        assertThat(blank.body()).contains("memory text must not be blank");
        assertThat(missing.body()).contains("text is required and must be a string");
        assertThat(notJson.statusCode()).isEqualTo(415);
        assertThat(f.send(f.get("api/memories", f.ruiToken)).body()).isEqualTo(before);
    }

    @Test
    void shouldStoreSqlLookingTextVerbatim() {
        String text = "Robert'); DROP TABLE memories; -- e o gato";

        HttpResponse<String> added = addMemory(f.ruiToken, "{\"text\": " + Json.write(text) + "}");

        assertThat(json(added.body()).get("text").asText()).isEqualTo(text);
        assertThat(f.send(f.get("api/memories", f.ruiToken)).body()).contains(Json.write(text));
    }

    @Test
    void shouldPutAMemoryIntoTheNextPromptAndTakeItOutWhenDeleted() {
        long id = json(addMemory(f.anaToken, "{\"text\": \"O gato da Ana chama-se Tareco\"}").body()).get("id").asLong();
        f.ollama.enqueue(Reply.tokens("Tareco."));
        f.chat("Lembras-te do nome do meu gato?");
        assertThat(f.ollama.chatBodies().getLast()).contains("O gato da Ana chama-se Tareco");

        f.send(f.delete("api/memories/" + id, f.anaToken));
        f.ollama.enqueue(Reply.tokens("Não sei."));
        f.chat("Lembras-te do nome do meu gato?");

        assertThat(f.ollama.chatBodies().getLast()).doesNotContain("Tareco");
    }

    @Test
    void shouldReplaceTheHomeAndUseItInTheNextPrompt() {
        HttpResponse<String> put = f.send(f.put("api/context", f.anaToken, HOME));
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);

        JsonNode home = json(f.send(f.get("api/context", f.anaToken)).body());
        assertThat(home.get("devices")).hasSize(2);
        assertThat(home.get("devices").get(0).get("aliases").toString()).isEqualTo("[\"ar da sala\",\"AC\"]");
        assertThat(home.get("devices").get(1).get("area").asText()).isEmpty();
        f.ollama.enqueue(Reply.tokens("Ligado."));
        f.chat("Liga o ar da sala");
        assertThat(f.ollama.chatBodies().getLast()).contains("climate.sala", "ar da sala");
        String eva = f.server.createToken(dev.chatstream.core.UserId.of("eva"));
        assertThat(json(f.send(f.get("api/context", eva)).body()).get("devices")).isEmpty();
    }

    @Test
    void shouldRefuseAnInvalidHomeWholeAndKeepTheOldOne() {
        f.send(f.put("api/context", f.ruiToken, HOME));

        assertThat(refusal("{\"devices\": {}}")).isEqualTo("400 devices is required and must be a list, as in "
                + HomeContextJson.EXAMPLE);
        assertThat(refusal("{\"devices\": [{\"entity_id\": \"Sala AC\", \"name\": \"x\"}]}")).isEqualTo(
                "400 devices[0].entity_id must look like domain.object_id (lower case, digits, _), such as "
                        + "climate.sala; got \"Sala AC\"");
        assertThat(refusal("{\"devices\": [{\"entity_id\": \"light.a\", \"name\": \"A\"}, "
                + "{\"entity_id\": \"light.a\", \"name\": \"B\"}]}"))
                .isEqualTo("400 devices[1].entity_id light.a is listed twice");
        assertThat(refusal("{\"devices\": [{\"entity_id\": \"light.a\"}]}"))
                .isEqualTo("400 devices[0].name is required");
        assertThat(refusal("{\"devices\": [{\"entity_id\": \"light.a\", \"name\": \"A\", \"aliases\": [7]}]}"))
                .isEqualTo("400 devices[0].aliases[0] must be a non-blank string");
        assertThat(refusal("{\"devices\": [}")).startsWith("400 The body is not valid JSON");

        assertThat(json(f.send(f.get("api/context", f.ruiToken)).body()).get("devices")).hasSize(2);
    }

    private static String refusal(String body) {
        HttpResponse<String> r = f.send(f.put("api/context", f.ruiToken, body));
        return r.statusCode() + " " + json(r.body()).get("error").asText();
    }

    @Test
    void shouldRequireATokenOnEveryStoreEndpoint() {
        for (String path : new String[] {"api/memories", "api/conversations", "api/context"}) {
            assertThat(f.send(f.get(path, null)).statusCode()).as(path).isEqualTo(401);
        }
    }
}
