package dev.chatstream.app;

import dev.chatstream.core.ChatEvent;
import dev.chatstream.core.GoldenEvents;

import dev.chatstream.http.WebResource;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chatstream.homeassistant.FakeHomeAssistant;
import dev.chatstream.ollama.FakeOllama.Reply;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chat page in a real browser (headless Chromium) against the real server and the fake Ollama. Each test
 * gets its own server, so its own origin and its own empty localStorage.
 */
class ChatPageIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** Where the browser tests leave screenshots of what they checked (copied to docs/web/ when they change). */
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static Browser browser;
    private final ServerFixture f = new ServerFixture();

    @BeforeAll
    static void startBrowser() throws Exception {
        browser = new Browser();
    }

    @AfterAll
    static void stopBrowser() {
        browser.close();
    }

    @AfterEach
    void stop() {
        f.close();
    }

    private void signIn() {
        browser.open(f.server.baseUri() + "#token=" + f.anaToken);
        browser.awaitTrue("return !document.getElementById('app').hidden", WAIT, "the chat to show");
    }

    private void say(String message) {
        browser.type("#input", message + Browser.ENTER);
    }

    private static Reply paced(String text, Duration gap) {
        Reply reply = Reply.stream().paced(gap);
        for (String word : text.split("(?<= )")) {
            reply = reply.token(word);
        }
        return reply;
    }

    @Test
    void shouldStreamTheReplyIntoThePageAndNeverShowTheActionLine() throws Exception {
        f.ollama.enqueue(paced("Vou ligar o ar condicionado da sala a **22 graus**, como pediste. Já está quase. "
                + "Mais alguma coisa? Diz-me o que precisas.\nACTION: {\"tool\": \"homeassistant_call_service\", "
                + "\"args\": {\"domain\": \"climate\", \"service\": \"set_temperature\", \"entity_id\": \"climate.sala\", "
                + "\"temperature\": 22}}", Duration.ofMillis(120)).done());
        signIn();

        assertThat(browser.script("return location.href").asText()).as("the token left the address bar")
                .doesNotContain("token").doesNotContain("cs_");
        say("Liga o ar da sala a 22 graus");
        String partial = browser.await("#messages", s -> s.contains("como pediste"), WAIT, "the first words");
        browser.screenshot(Path.of("target", "screenshots", "chat-page-mid-reply.png"));
        assertThat(partial).as("words show while the model is still writing").doesNotContain("precisas");
        assertThat(browser.script("return !document.getElementById('stop').hidden").asBoolean()).isTrue();

        browser.awaitTrue("return document.getElementById('stop').hidden", WAIT, "the reply to end");
        String page = browser.text("body");
        // issue 27 item 6: the card says in plain words what the model asked for, and that nothing ran
        assertThat(page).contains("Diz-me o que precisas.", "Set the sala air conditioner to 22 °C",
                "Only a suggestion: this server does not run actions").doesNotContain("ACTION:");
        assertThat(browser.script("return document.querySelector('.action-card details pre').textContent").asText())
                .as("the raw call under Details").contains("homeassistant_call_service", "\"temperature\": 22");
        assertThat(browser.script("return document.querySelector('.message.assistant strong').textContent").asText())
                .isEqualTo("22 graus");
        assertThat(browser.script("return document.getElementById('messages').getAttribute('aria-live')").asText())
                .isEqualTo("polite");
    }

    @Test
    void shouldShowActionResultsAndConfirmOrCancelWaitingActionsFromTheCard() throws Exception {
        try (FakeHomeAssistant ha = FakeHomeAssistant.start("ha-token")
                .entity("light.sala", "Luz da sala", "Sala", "off")
                .entity("lock.porta", "Porta da frente", "Entrada", "locked");
             ServerFixture h = new ServerFixture(env -> {
                 env.put("CHATSTREAM_HOMEASSISTANT_URL", ha.baseUrl().toString());
                 env.put("CHATSTREAM_HOMEASSISTANT_TOKEN", "ha-token");
                 env.put("CHATSTREAM_ACTIONS_AUTO", "true");
                 env.put("CHATSTREAM_HOMEASSISTANT_POLICY_FILE", ServerFixture.defaultPolicyNaming("ana").toString());
                 return env;
             })) {
            String call = "ACTION: {\"tool\": \"homeassistant_call_service\", \"args\": {\"domain\": ";
            h.ollama.enqueue(Reply.tokens("Acendo a luz.\n", call
                    + "\"light\", \"service\": \"turn_on\", \"entity_id\": \"light.sala\"}}"));
            h.ollama.enqueue(Reply.tokens("Abro a porta.\n", call
                    + "\"lock\", \"service\": \"unlock\", \"entity_id\": \"lock.porta\"}}"));
            h.ollama.enqueue(Reply.tokens("Abro a porta.\n", call
                    + "\"lock\", \"service\": \"unlock\", \"entity_id\": \"lock.porta\"}}"));
            browser.open(h.server.baseUri() + "#token=" + h.anaToken);
            browser.awaitTrue("return !document.getElementById('app').hidden", WAIT, "the chat to show");

            say("Acende a luz da sala");
            browser.await("#messages", s -> s.contains("Done: Home Assistant ran light.turn_on on light.sala"), WAIT,
                    "the action's result on its card");
            assertThat(browser.text(".action-card")).contains("Turn on the sala light").doesNotContain("Running…",
                    "Only a suggestion");
            assertThat(ha.state("light.sala")).isEqualTo("on");

            browser.awaitTrue("return document.getElementById('stop').hidden", WAIT, "the first reply to end");
            say("Abre a porta");
            browser.awaitTrue("return document.querySelectorAll('.action-card button.confirm').length === 1", WAIT,
                    "a Confirm button");
            browser.awaitTrue("return document.getElementById('stop').hidden", WAIT, "the second reply to end");
            assertThat(browser.text("#messages")).contains("Needs your confirmation", "Unlock the porta lock");
            browser.screenshot(Path.of("target", "screenshots", "chat-page-confirm.png"));
            assertThat(ha.state("lock.porta")).as("nothing runs before the user confirms").isEqualTo("locked");
            browser.click(".action-card button.confirm");
            browser.await("#messages", s -> s.contains("Done: Home Assistant ran lock.unlock on lock.porta"), WAIT,
                    "the confirmed result");
            assertThat(ha.state("lock.porta")).isEqualTo("unlocked");
            assertThat(browser.script("return document.querySelectorAll('.action-card button').length").asInt())
                    .as("the buttons are gone once decided").isZero();

            say("Abre outra vez");
            browser.awaitTrue("return document.querySelectorAll('.action-card button.cancel').length === 1", WAIT,
                    "a Cancel button");
            browser.click(".action-card button.cancel");
            browser.await("#messages", s -> s.contains("Cancelled: Cancelled; nothing was done"), WAIT,
                    "the cancelled result");
            assertThat(ha.calls()).hasSize(2);
        }
    }

    /** Issue 27 item 2: after a reload the action cards, their results and a turn's error text are still there. */
    @Test
    void shouldShowActionCardsTheirResultsAndAnErrorAgainAfterAReload() throws Exception {
        try (FakeHomeAssistant ha = FakeHomeAssistant.start("ha-token")
                .entity("light.sala", "Luz da sala", "Sala", "off");
             ServerFixture h = new ServerFixture(env -> {
                 env.put("CHATSTREAM_HOMEASSISTANT_URL", ha.baseUrl().toString());
                 env.put("CHATSTREAM_HOMEASSISTANT_TOKEN", "ha-token");
                 env.put("CHATSTREAM_ACTIONS_AUTO", "true");
                 return env;
             })) {
            h.ollama.enqueue(Reply.tokens("Acendo a luz.\n", "ACTION: {\"tool\": \"homeassistant_call_service\", "
                    + "\"args\": {\"domain\": \"light\", \"service\": \"turn_on\", \"entity_id\": \"light.sala\"}}"));
            h.ollama.enqueue(Reply.stream().token("Está ").token("sol ").errorLine("model crashed"));
            browser.open(h.server.baseUri() + "#token=" + h.anaToken);
            browser.awaitTrue("return !document.getElementById('app').hidden", WAIT, "the chat to show");
            say("Acende a luz da sala");
            browser.await("#messages", s -> s.contains("Done: Home Assistant ran light.turn_on on light.sala"), WAIT,
                    "the action's result on its card");
            browser.awaitTrue("return document.getElementById('stop').hidden", WAIT, "the first reply to end");
            say("E o tempo?");
            browser.await(".error", s -> s.contains("Ollama failed while answering: model crashed"), WAIT, "the error");
            browser.awaitTrue("return document.getElementById('stop').hidden", WAIT, "the second reply to end");

            browser.refresh();

            String shown = browser.await("#messages", s -> s.contains("Está sol"), WAIT, "the stored conversation");
            assertThat(browser.text(".action-card")).contains("Turn on the sala light",
                    "Done: Home Assistant ran light.turn_on on light.sala").doesNotContain("Running…");
            assertThat(browser.text(".error")).contains("Ollama failed while answering: model crashed");
            assertThat(shown).doesNotContain("Broke off");
        }
    }

    /**
     * Stop closes Ollama's request; the stopped first reply stays in its conversation, and the next message
     * continues that conversation with the stopped turn as history (issue 27 item 1: it used to split in two).
     */
    @Test
    void shouldStopTheUpstreamWhenStopIsPressedAndContinueTheSameConversation() {
        f.ollama.enqueue(paced("Era uma vez um gato que vivia numa casa grande ao pé do rio e via os barcos FIM",
                Duration.ofMillis(150)).done()).enqueue(Reply.tokens("E depois acabou."));
        signIn();

        say("Conta uma história");
        browser.await("#messages", s -> s.contains("Era uma vez"), WAIT, "the first words");
        browser.click("#stop");

        assertThat(f.ollama.awaitClientDisconnect(Duration.ofSeconds(10))).as("the fake Ollama saw the disconnect")
                .isTrue();
        String page = browser.await("#messages", s -> s.contains("Stopped"), WAIT, "the stopped note");
        assertThat(page).doesNotContain("FIM");
        browser.awaitTrue("return !document.getElementById('send').hidden", WAIT, "Send to come back");

        say("continua");
        browser.await("#messages", s -> s.contains("E depois acabou."), WAIT, "the second reply");
        assertThat(f.ollama.chatBodies()).hasSize(2);
        assertThat(f.ollama.chatBodies().get(1)).as("the second turn continued the stopped one")
                .contains("Conta uma história", "Era uma vez");
        browser.awaitTrue("return document.querySelectorAll('#conversations li').length === 1", WAIT,
                "one conversation in the list");
        HttpResponse<String> list = f.send(f.get("api/conversations", f.anaToken));
        assertThat(list.body()).as("one conversation, not two").containsOnlyOnce("\"id\"");
    }

    /**
     * Issue 19: a reload mid-reply shows the whole reply so far and follows it live to its end, every word once; the
     * model ran once.
     */
    @Test
    void shouldContinueAReplyAfterThePageIsReloadedMidReply() {
        StringBuilder words = new StringBuilder();
        for (int i = 1; i <= 50; i++) {
            words.append("palavra").append(i).append(' ');
        }
        String reply = words.toString().strip();
        f.ollama.enqueue(paced(reply, Duration.ofMillis(60)).done());
        signIn();
        say("Conta até cinquenta");
        browser.await("#messages", s -> s.contains("palavra5 "), WAIT, "the first words");

        browser.refresh();

        browser.await("#messages", s -> s.contains("palavra50"), WAIT, "the reply to go on after the reload");
        browser.awaitTrue("return document.getElementById('stop').hidden", WAIT, "the reply to end");
        assertThat(browser.script("return Array.from(document.querySelectorAll('.message.user'), "
                + "m => m.querySelector('.body').textContent)").toString()).isEqualTo("[\"Conta até cinquenta\"]");
        String shown = browser.script("const a = document.querySelectorAll('.message.assistant'); "
                + "return a.length + '|' + a[a.length - 1].querySelector('.body').textContent").asText().strip();
        assertThat(shown).as("one reply, every word once, in order").isEqualTo("1|" + reply);
        assertThat(f.ollama.chatBodies()).as("the model ran once").hasSize(1);

        browser.refresh(); // and once it is stored, a reload shows it from the store, once
        browser.await("#messages", s -> s.contains("palavra50"), WAIT, "the stored reply");
        assertThat(browser.script("return document.querySelectorAll('.message.assistant').length").asInt()).isOne();
    }

    @Test
    void shouldKeepHostileReplyMarkupInert() {
        f.ollama.enqueue(Reply.tokens("Olha: <img src=x onerror=\"window.__xss = 1\"> e <script>window.__xss = 2</script> ",
                "e [clica](javascript:window.__xss=3) ou [docs](https://example.org/docs) e `<b>código</b>`"));
        signIn();

        say("mostra html");
        browser.awaitTrue("return document.getElementById('stop').hidden && "
                + "document.querySelectorAll('.message.assistant').length === 1", WAIT, "the reply");

        JsonNode seen = browser.script("""
                const body = document.querySelector('.message.assistant .body');
                const link = body.querySelector('a');
                return {xss: window.__xss === undefined ? 'none' : String(window.__xss),
                        elements: body.querySelectorAll('img, script, b').length,
                        links: body.querySelectorAll('a').length,
                        href: link.href, target: link.target, rel: link.rel, text: body.innerText};""");
        assertThat(seen.path("xss").asText()).isEqualTo("none");
        assertThat(seen.path("elements").asInt()).as("no element made from the reply's HTML").isZero();
        assertThat(seen.path("links").asInt()).as("only the https link is a link").isEqualTo(1);
        assertThat(seen.path("href").asText()).isEqualTo("https://example.org/docs");
        assertThat(seen.path("target").asText()).isEqualTo("_blank");
        assertThat(seen.path("rel").asText()).isEqualTo("noopener noreferrer nofollow");
        assertThat(seen.path("text").asText()).contains("<img src=x onerror=\"window.__xss = 1\">",
                "<script>window.__xss = 2</script>", "[clica](javascript:window.__xss=3)", "<b>código</b>");
    }

    @Test
    void shouldShowAnErrorInPlaceAndRetry() {
        f.ollama.enqueue(Reply.status(404, "model \"llama3.2\" not found, try pulling it first"))
                .enqueue(Reply.tokens("Agora sim."));
        signIn();

        say("Olá");
        String error = browser.await(".error", s -> !s.isEmpty(), WAIT, "the error");
        assertThat(error).contains("ollama pull llama3.2", "Retry");
        browser.click(".error button");

        browser.await("#messages", s -> s.contains("Agora sim."), WAIT, "the retried reply");
        assertThat(browser.script("return document.querySelectorAll('.message.user').length").asInt())
                .as("Retry sends the same message without adding it twice").isEqualTo(1);
        assertThat(browser.script("return document.querySelectorAll('.error').length").asInt()).isZero();
        // issue 27 item 2: the failed first try left no conversation behind; the retried one is the only one
        browser.awaitTrue("return document.querySelectorAll('#conversations li').length === 1", WAIT,
                "one conversation in the list");
        assertThat(ConversationsIT.json(f.send(f.get("api/conversations", f.anaToken)).body()).get("conversations"))
                .hasSize(1);
    }

    @Test
    void shouldKeepTheConversationAcrossAReloadAndListIt() {
        f.ollama.enqueue(Reply.tokens("Que nome bonito!")).enqueue(Reply.tokens("Tareco."));
        signIn();
        say("O meu gato chama-se Tareco");
        browser.await("#messages", s -> s.contains("Que nome bonito!"), WAIT, "the reply");
        browser.awaitTrue("return document.getElementById('stop').hidden", WAIT, "the end of the reply");

        browser.refresh();
        browser.await("#messages", s -> s.contains("Que nome bonito!"), WAIT, "the conversation after the reload");
        say("Como se chama?");
        browser.await("#messages", s -> s.contains("Tareco."), WAIT, "the second reply");

        assertThat(f.ollama.chatBodies().get(1)).as("the reloaded page continued the stored conversation")
                .contains("O meu gato chama-se Tareco", "Que nome bonito!");
        assertThat(browser.text("#conversations")).contains("O meu gato chama-se Tareco");
        // issue 27 item 5: a reply can be copied; the list can be searched (any case, accents ignored)
        browser.script("window.copied = []; navigator.clipboard.writeText = async (t) => { window.copied.push(t); };");
        browser.click(".message.assistant .copy");
        browser.await(".message.assistant .copy", s -> s.equals("Copied"), WAIT, "the copy said");
        assertThat(browser.script("return window.copied").toString()).isEqualTo("[\"Que nome bonito!\"]");
        browser.type("#search", "GATO");
        assertThat(browser.script("return document.querySelectorAll('#conversations li:not([hidden])').length")
                .asInt()).isOne();
        browser.type("#search", " e cão");
        browser.awaitTrue("return !document.getElementById('no-match').hidden", WAIT, "no match said");
        assertThat(browser.script("return document.querySelectorAll('#conversations li:not([hidden])').length")
                .asInt()).isZero();
        browser.script("const s = document.getElementById('search'); s.value = 'TARECÓ';"
                + " s.dispatchEvent(new Event('input'));");
        assertThat(browser.script("return document.querySelectorAll('#conversations li:not([hidden])').length")
                .asInt()).as("accents ignored").isOne();
        browser.script("const s = document.getElementById('search'); s.value = ''; s.dispatchEvent(new Event('input'));");
        // issue 27 item 5: ✎ renames in place (Escape leaves it, Enter keeps the new name, on the server too)
        browser.click("#conversations .rename");
        browser.script("const i = document.querySelector('#conversations .rename-input'); i.value = 'Nunca';"
                + " i.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape'}));");
        assertThat(browser.text("#conversations")).contains("O meu gato chama-se Tareco").doesNotContain("Nunca");
        browser.click("#conversations .rename");
        browser.script("const i = document.querySelector('#conversations .rename-input'); i.value = 'O Tareco';"
                + " i.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter'}));");
        browser.await("#conversations", s -> s.contains("O Tareco") && !s.contains("chama-se"), WAIT, "the new name");
        assertThat(ConversationsIT.json(f.send(f.get("api/conversations", f.anaToken)).body()).get("conversations")
                .get(0).get("title").asText()).isEqualTo("O Tareco");
        // issue 27 item 5: each conversation says when it was (the time, today), and ✕ asks before it deletes
        assertThat(browser.script("return document.querySelector('#conversations .when').textContent").asText())
                .matches(".*\\d{1,2}:\\d{2}.*");
        browser.click("#conversations .delete");
        assertThat(browser.text("#conversations")).contains("Delete “O Tareco”?", "Keep");
        browser.click("#conversations .keep");
        assertThat(browser.text("#conversations")).contains("O Tareco").doesNotContain("Delete “");
        assertThat(ConversationsIT.json(f.send(f.get("api/conversations", f.anaToken)).body()).get("conversations"))
                .as("Keep kept it").hasSize(1);
        browser.click("#conversations .delete");
        browser.click("#conversations .confirm-delete");
        browser.await("#conversations", String::isBlank, WAIT, "the list without the deleted conversation");
        assertThat(browser.text("#messages")).isBlank();
    }

    /** Issue 27 item 5: the last reply can be written again, and a message edited and sent again, in place. */
    @Test
    void shouldRegenerateTheLastReplyAndEditAMessageInPlace() throws Exception {
        f.ollama.enqueue(Reply.tokens("Que nome bonito!")).enqueue(Reply.tokens("Resposta antiga."))
                .enqueue(Reply.tokens("Resposta nova.")).enqueue(Reply.tokens("Olá, Bigodes!"));
        signIn();
        say("O meu gato chama-se Tareco");
        browser.await("#messages", s -> s.contains("Que nome bonito!"), WAIT, "the first reply");
        browser.awaitTrue("return document.getElementById('stop').hidden", WAIT, "the end of the first reply");
        say("Quantos anos tem?");
        browser.await("#messages", s -> s.contains("Resposta antiga."), WAIT, "the second reply");
        browser.awaitTrue("return document.getElementById('stop').hidden", WAIT, "the end of the second reply");
        assertThat(browser.script("return Array.from(document.querySelectorAll('.message.assistant .regenerate'), "
                + "b => getComputedStyle(b).display !== 'none')").toString()).as("only the last reply offers it")
                .isEqualTo("[false,true]");

        browser.click(".message.assistant:last-child .regenerate");

        browser.await("#messages", s -> s.contains("Resposta nova."), WAIT, "the new reply");
        browser.awaitTrue("return document.getElementById('stop').hidden", WAIT, "the end of the new reply");
        assertThat(browser.text("#messages")).doesNotContain("Resposta antiga.");
        assertThat(f.ollama.chatBodies().get(2)).as("the model did not get the reply it writes again")
                .contains("Quantos anos tem?").doesNotContain("Resposta antiga.");
        long id = ConversationsIT.json(f.send(f.get("api/conversations", f.anaToken)).body()).get("conversations")
                .get(0).get("id").asLong();
        assertThat(ConversationsIT.contents(f, f.anaToken, id)).containsExactly(
                "user:O meu gato chama-se Tareco:complete", "assistant:Que nome bonito!:complete",
                "user:Quantos anos tem?:complete", "assistant:Resposta nova.:complete");

        browser.click(".message.user .edit"); // the first message: Escape leaves it, Enter sends the edit
        browser.script("const i = document.querySelector('.message.user .edit-input'); i.value = 'Nunca';"
                + " i.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape'}));");
        assertThat(browser.text("#messages")).contains("O meu gato chama-se Tareco").doesNotContain("Nunca");
        browser.click(".message.user .edit");
        browser.script("document.querySelector('.message.user .edit-input').value = 'O meu gato chama-se Bigodes';");
        browser.screenshot(SCREENSHOTS.resolve("desktop-edit.png"));
        browser.script("document.querySelector('.message.user .edit-input')"
                + ".dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter'}));");

        browser.await("#messages", s -> s.contains("Olá, Bigodes!"), WAIT, "the reply to the edited message");
        browser.awaitTrue("return document.getElementById('stop').hidden", WAIT, "the end of that reply");
        assertThat(browser.script("return Array.from(document.querySelectorAll('.message .body'), "
                + "b => b.textContent)").toString()).as("everything after the edited message is gone")
                .isEqualTo("[\"O meu gato chama-se Bigodes\",\"Olá, Bigodes!\"]");
        assertThat(ConversationsIT.contents(f, f.anaToken, id)).containsExactly(
                "user:O meu gato chama-se Bigodes:complete", "assistant:Olá, Bigodes!:complete");
        browser.refresh();
        browser.await("#messages", s -> s.contains("Olá, Bigodes!"), WAIT, "the conversation after a reload");
        assertThat(browser.text("#messages")).doesNotContain("Tareco");
    }

    /** Issue 26: a reply the model cut at its length limit is never shown as complete, then or after a reload. */
    @Test
    void shouldSayWhenTheModelCutTheReplyShortAndStillSayItAfterAReload() {
        f.ollama.enqueue(Reply.stream().token("Era uma vez um gato que").doneBecause("length"));
        signIn();
        say("Conta uma história longa");
        browser.await("#messages", s -> s.contains("Cut short: the model reached its length limit"), WAIT,
                "the note under the reply");

        browser.refresh();

        browser.await("#messages", s -> s.contains("Era uma vez um gato que") && s.contains("Cut short"), WAIT,
                "the note under the stored reply");
    }

    /**
     * Issue 19: the connection drops mid-reply (a proxy cuts it, as lost signal does): the page reconnects by itself
     * and the reply continues with no duplicate and no gap; the model ran once.
     */
    @Test
    void shouldPickTheReplyUpWhereItWasWhenTheConnectionDrops() throws Exception {
        StringBuilder words = new StringBuilder();
        for (int i = 1; i <= 60; i++) {
            words.append("palavra").append(i).append(' ');
        }
        String reply = words.toString().strip();
        f.ollama.enqueue(paced(reply, Duration.ofMillis(60)).done());
        try (CuttableProxy proxy = new CuttableProxy(f.server.port())) {
            browser.open("http://127.0.0.1:" + proxy.port() + "/#token=" + f.anaToken);
            browser.awaitTrue("return !document.getElementById('app').hidden", WAIT, "the chat to show");
            say("Conta até sessenta");
            browser.await("#messages", s -> s.contains("palavra5 "), WAIT, "the first words");

            proxy.cut();

            browser.awaitTrue("return document.getElementById('stop').hidden", WAIT, "the reply to end");
            String shown = browser.script("const a = document.querySelectorAll('.message.assistant'); "
                    + "return a[a.length - 1].querySelector('.body').textContent").asText().strip();
            assertThat(shown).as("every word once, in order").isEqualTo(reply);
            assertThat(browser.text("#messages")).doesNotContain("reconnecting", "Broke off");
            assertThat(f.ollama.chatBodies()).as("the model ran once").hasSize(1);
        }
    }

    @Test
    void shouldShowThinkingCollapsedOnlyWhenTurnedOn() {
        f.ollama.enqueue(Reply.stream().thinking("O utilizador quer saber as horas.").token("São ").token("dez.")
                .done());
        signIn();
        browser.click("#show-thinking");

        say("Que horas são?");
        browser.awaitTrue("return document.getElementById('stop').hidden && "
                + "document.querySelectorAll('.message.assistant').length === 1", WAIT, "the reply");

        JsonNode thinking = browser.script("""
                const d = document.querySelector('.message.assistant details.thinking');
                return {open: d.open, text: d.textContent,
                        body: document.querySelector('.message.assistant .body').textContent};""");
        assertThat(thinking.path("open").asBoolean()).as("collapsed").isFalse();
        assertThat(thinking.path("text").asText()).contains("O utilizador quer saber as horas.");
        assertThat(thinking.path("body").asText()).isEqualTo("São dez.");
    }

    /** Issue 23 (and 27, item 7): while the model loads, the page says so in place of bare dots. */
    @Test
    void shouldSayTheModelIsLoadingUntilTheFirstWordsCome() {
        f.ollama.cold(true).enqueue(Reply.stream().pause(Duration.ofSeconds(2)).token("Olá!").done());
        signIn();

        say("Olá");
        browser.awaitTrue("const p = document.getElementById('phase'); return !p.hidden && "
                + "p.textContent.startsWith('Loading the model')", WAIT, "the loading note");
        browser.awaitTrue("return document.getElementById('stop').hidden", WAIT, "the reply");

        JsonNode after = browser.script("return {phase: document.getElementById('phase').hidden, "
                + "body: document.querySelector('.message.assistant .body').textContent};");
        assertThat(after.path("phase").asBoolean()).as("gone once the words came").isTrue();
        assertThat(after.path("body").asText()).isEqualTo("Olá!");
    }

    @Test
    void shouldFollowTheReplyUntilTheUserScrollsUp() {
        Reply reply = Reply.stream().paced(Duration.ofMillis(60));
        for (int i = 0; i < 80; i++) {
            reply = reply.token("Linha " + i + " de uma resposta comprida.\n\n");
        }
        f.ollama.enqueue(reply.done());
        signIn();

        say("Escreve muito");
        browser.await("#messages", s -> s.contains("Linha 30 "), WAIT, "a long part of the reply");
        assertThat(browser.script("const m = document.getElementById('messages');"
                + "return m.scrollHeight - m.scrollTop - m.clientHeight < 48").asBoolean())
                .as("it followed the reply to the end").isTrue();
        browser.script("const m = document.getElementById('messages'); m.scrollTop = 0;"
                + "m.dispatchEvent(new Event('scroll'));");
        browser.await("#messages", s -> s.contains("Linha 60 "), WAIT, "more of the reply");

        assertThat(browser.script("return document.getElementById('messages').scrollTop").asInt())
                .as("the page left the user where they scrolled").isLessThan(50);
    }

    /** Issue 23 part 2: Read aloud speaks the server's segments, as they come, without Markdown. */
    @Test
    void shouldSpeakEachSentenceAsSoonAsItIsComplete() {
        f.ollama.enqueue(Reply.stream().token("Olá. ").token("Está ").token("tudo ").token("**bem**? ")
                .pause(Duration.ofSeconds(3)).token("Até já").done());
        signIn();
        browser.script("""
                window.__spoken = [];
                window.speechSynthesis.speak = (u) => window.__spoken.push(u.text);
                window.speechSynthesis.cancel = () => {};""");
        browser.click("#read-aloud");

        say("Olá");
        browser.awaitTrue("return window.__spoken.length >= 2", WAIT, "two sentences spoken");
        assertThat(browser.script("return window.__spoken").toString()).as("spoken before the reply ended")
                .isEqualTo("[\"Olá.\",\"Está tudo bem?\"]");
        assertThat(browser.text("#messages")).doesNotContain("Até já");
        browser.awaitTrue("return window.__spoken.length === 3", WAIT, "the last sentence at the end");
        assertThat(browser.script("return window.__spoken[2]").asText()).isEqualTo("Até já");
    }

    /** Issue 22, finding 10: a link's text cannot hide where it goes. */
    @Test
    void shouldShowTheHostOfALinkWhoseTextDoesNotNameIt() {
        f.ollama.enqueue(Reply.tokens("Entra no [teu banco](https://evil.example/login), no [bank.pt](https://bank.pt.evil.example/) ",
                "ou em [https://example.org/docs](https://example.org/docs)."));
        signIn();

        say("links");
        browser.awaitTrue("return document.getElementById('stop').hidden && "
                + "document.querySelectorAll('.message.assistant').length === 1", WAIT, "the reply");

        assertThat(browser.script("return document.querySelector('.message.assistant .body').innerText").asText())
                .isEqualTo("Entra no teu banco (evil.example), no bank.pt (bank.pt.evil.example) ou em "
                        + "https://example.org/docs.");
        assertThat(browser.script("return document.querySelectorAll('.message.assistant .body a').length").asInt())
                .isEqualTo(3);
    }

    /** Issue 22, finding 4: a link cannot silently sign this browser into someone else's account. */
    @Test
    void shouldAskBeforeALinkSwitchesAccountsAndShowWhoIsSignedIn() {
        signIn();
        browser.await("#who", s -> s.equals("Signed in as ana"), WAIT, "who is signed in");
        String riuLink = f.server.baseUri() + "#token=" + f.ruiToken;

        browser.open("about:blank");
        browser.open(riuLink);
        browser.await("#switch-text", s -> s.equals("This link signs in as rui. You are signed in as ana. Switch to "
                + "rui?"), WAIT, "the question");
        assertThat(browser.script("return document.getElementById('who').textContent").asText())
                .as("still ana while asking").isEqualTo("Signed in as ana");
        browser.click("#switch-no");
        browser.awaitTrue("return document.getElementById('switch-account').hidden", WAIT, "the question to go");
        assertThat(browser.script("return localStorage.getItem('chatstream.token')").asText()).isEqualTo(f.anaToken);

        browser.open("about:blank");
        browser.open(riuLink);
        browser.await("#switch-text", s -> s.contains("Switch to rui?"), WAIT, "the question again");
        browser.click("#switch-yes");
        browser.await("#who", s -> s.equals("Signed in as rui"), WAIT, "rui signed in");
        assertThat(f.send(f.get("api/me", f.ruiToken)).body()).isEqualTo("{\"user\": \"rui\"}");
    }

    /**
     * Issue 27 items 4 and 7: the empty page greets the user, says whether the model is ready (and what to do when
     * it is not), and offers suggestions; an error's `commands` show as code.
     */
    @Test
    void shouldGreetSayWhetherTheModelIsReadyAndSuggest() throws Exception {
        f.ollama.enqueue(Reply.tokens("Posso conversar e ligar luzes."))
                .enqueue(Reply.status(404, "model \"llama3.2\" not found, try pulling it first"));
        signIn();

        String welcome = browser.await("#welcome", s -> s.contains("is ready"), WAIT, "the readiness line");
        assertThat(welcome).contains("Hello, ana", "The model llama3.2 is ready", "What can you do?");
        browser.screenshot(SCREENSHOTS.resolve("desktop-empty.png"));
        browser.click(".suggestion");
        browser.await("#messages", s -> s.contains("Posso conversar"), WAIT, "the suggestion's reply");
        assertThat(browser.script("return document.getElementById('welcome').hidden").asBoolean())
                .as("the first message replaces the greeting").isTrue();
        assertThat(f.ollama.chatBodies().getFirst()).contains("What can you do?");

        browser.awaitTrue("return document.getElementById('stop').hidden", WAIT, "the end of the reply");
        say("Olá");
        browser.await(".error", s -> s.contains("ollama pull"), WAIT, "the error");
        assertThat(browser.script("return document.querySelector('.error code').textContent").asText())
                .isEqualTo("ollama pull llama3.2");

        f.ollama.close(); // Ollama gone: a new page says so before anyone types
        browser.click("#new-conversation");
        browser.refresh();
        String down = browser.await("#readiness", s -> s.contains("Chats will fail"), WAIT, "the problem");
        assertThat(down).contains("Ollama");
        assertThat(browser.script("return document.getElementById('readiness').getAttribute('role')").asText())
                .isEqualTo("alert");
    }

    @Test
    void shouldAskForATokenAndSayWhenItIsRefused() {
        browser.open(f.server.baseUri().toString());
        browser.awaitTrue("return !document.getElementById('sign-in').hidden", WAIT, "the sign-in form");
        assertThat(browser.script("return [...document.querySelectorAll('.switch')].every((e) => e.hidden)")
                .asBoolean()).as("Read aloud and Thinking show only once signed in (issue 27 item 7)").isTrue();
        assertThat(browser.script("return document.documentElement.lang").asText()).isEqualTo("en");

        browser.type("#token-input", "cs_not-a-token" + Browser.ENTER);

        browser.await("#sign-in-reason", s -> s.contains("This token is not valid"), WAIT, "the refusal");
        browser.type("#token-input", f.anaToken + Browser.ENTER);
        browser.awaitTrue("return !document.getElementById('app').hidden", WAIT, "the chat");
        browser.click("#sign-out");
        browser.awaitTrue("return !document.getElementById('sign-in').hidden && "
                + "localStorage.getItem('chatstream.token') === null", WAIT, "signed out, token forgotten");
    }

    @Test
    void shouldFitAPhoneScreen() throws Exception {
        f.ollama.enqueue(Reply.status(404, "model \"llama3.2\" not found, try pulling it first"));
        signIn();
        browser.windowSize(390, 800);
        try {
            browser.awaitTrue("return window.innerWidth <= 420", WAIT, "the narrow window");
            browser.screenshot(SCREENSHOTS.resolve("phone-empty.png"));
            say("Olá");
            browser.await(".error", s -> s.contains("Retry"), WAIT, "the error");
            // issue 27 item 3: what did not fit at phone width
            JsonNode fit = browser.script("""
                    const retry = document.querySelector('.error button').getBoundingClientRect();
                    const input = document.getElementById('input');
                    return {retryWide: retry.width > retry.height,
                            header: document.querySelector('.bar').getBoundingClientRect().height,
                            placeholderFits: input.scrollHeight <= input.clientHeight + 1,
                            placeholder: input.placeholder};""");
            assertThat(fit.path("retryWide").asBoolean()).as("Retry is a button, not a column of letters").isTrue();
            assertThat(fit.path("header").asDouble()).as("the header is one line").isLessThan(60);
            assertThat(fit.path("placeholderFits").asBoolean()).as("the placeholder, %s, fits its line",
                    fit.path("placeholder").asText()).isTrue();
            browser.screenshot(SCREENSHOTS.resolve("phone-error.png"));
            browser.click("#toggle-list");
            browser.awaitTrue("return getComputedStyle(document.getElementById('backdrop')).display === 'block' && "
                    + "getComputedStyle(document.getElementById('sidebar')).transform === 'none'", WAIT,
                    "the list open, a backdrop behind it");
            JsonNode covered = browser.script("""
                    const out = document.getElementById('sign-out').getBoundingClientRect();
                    const at = document.elementFromPoint(out.left + out.width / 2, out.top + out.height / 2);
                    return {signOutReachable: at === document.getElementById('sign-out')};""");
            assertThat(covered.path("signOutReachable").asBoolean()).as("the open list does not cover Sign out")
                    .isTrue();
            browser.screenshot(SCREENSHOTS.resolve("phone-list.png"));
            assertThat(browser.script("const at = document.elementFromPoint(window.innerWidth - 10, 400); at.click(); "
                    + "return at.id").asText()).as("a tap beside the list lands on the backdrop").isEqualTo("backdrop");
            browser.awaitTrue("return !document.getElementById('sidebar').classList.contains('open')", WAIT,
                    "the backdrop closes the list");
            JsonNode layout = browser.script("""
                    const composer = document.getElementById('composer').getBoundingClientRect();
                    return {overflow: document.documentElement.scrollWidth > window.innerWidth,
                            composerVisible: composer.bottom <= window.innerHeight && composer.width > 0,
                            listHidden: getComputedStyle(document.getElementById('sidebar')).transform !== 'none'};""");
            assertThat(layout.path("overflow").asBoolean()).as("no sideways scrolling; too wide: %s", browser.script("""
                    return [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right
                        > window.innerWidth + 1).map((e) => e.tagName + '#' + e.id + '.' + e.className + ' '
                        + Math.round(e.getBoundingClientRect().right)).join(', ');""").asText()).isFalse();
            assertThat(layout.path("composerVisible").asBoolean()).isTrue();
            assertThat(layout.path("listHidden").asBoolean()).as("the conversation list folds away").isTrue();
        } finally {
            browser.windowSize(1100, 800);
        }
    }

    /**
     * The page's client reads the golden wire files (the same bytes the codec's tests pin) into the same events the
     * Java codec decodes: every event kind, multi-byte text, text full of SSE syntax, delivered a few bytes at a time.
     */
    @Test
    void shouldReadTheGoldenWireFilesAsTheJavaCodecDoes() throws Exception {
        java.util.Map<String, ChatEvent> golden = GoldenEvents.all();
        java.io.ByteArrayOutputStream reply = new java.io.ByteArrayOutputStream();
        reply.write(GoldenEvents.bytes("open"));
        List<ChatEvent> expected = new java.util.ArrayList<>();
        for (var e : golden.entrySet()) {
            if (!e.getValue().terminal()) {
                reply.write(GoldenEvents.bytes(e.getKey()));
                expected.add(e.getValue());
            }
        }
        reply.write(GoldenEvents.bytes("ping"));
        reply.write(GoldenEvents.bytes("done"));
        expected.add(golden.get("done"));
        byte[] failed = (new String(GoldenEvents.bytes("open"), StandardCharsets.UTF_8)
                + new String(GoldenEvents.bytes("error"), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        browser.open(f.server.baseUri().toString());

        JsonNode result = browser.asyncScript("""
                const { streamChat } = await import('/static/chat-stream-client.js');
                const decode = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
                const run = async (bytes) => {
                  const body = new ReadableStream({ start(c) {
                    for (let i = 0; i < bytes.length; i += 3) c.enqueue(bytes.slice(i, i + 3));
                    c.close();
                  } });
                  const fetch = async () => new Response(body, { status: 200,
                    headers: { 'Content-Type': 'text/event-stream' } });
                  const events = [];
                  const s = streamChat({ token: 't', message: 'm', fetch });
                  for await (const e of s) events.push(e);
                  return { events, outcome: await s.finished };
                };
                done({ ok: await run(decode('%s')), failed: await run(decode('%s')) });"""
                .formatted(java.util.Base64.getEncoder().encodeToString(reply.toByteArray()),
                        java.util.Base64.getEncoder().encodeToString(failed)));

        assertThat(result.path("ok").path("outcome").asText()).isEqualTo("done");
        JsonNode events = result.path("ok").path("events");
        assertThat(events).hasSize(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            JsonNode js = events.get(i);
            switch (expected.get(i)) {
                case ChatEvent.Chunk c -> assertThat(js.path("content").asText()).as("chunk %d", i).isEqualTo(c.content());
                case ChatEvent.Thinking t -> assertThat(js.path("content").asText()).isEqualTo(t.content());
                case ChatEvent.FinalText t -> assertThat(js.path("text").asText()).isEqualTo(t.text());
                case ChatEvent.ActionRequested a -> {
                    assertThat(js.path("action").path("tool").asText()).isEqualTo(a.action().tool());
                    assertThat(js.path("action").path("args").size()).isEqualTo(a.action().args().size());
                    assertThat(js.path("ticket").path("id").asText(null))
                            .isEqualTo(a.ticket().map(ChatEvent.ActionTicket::id).orElse(null));
                    a.ticket().ifPresent(t -> {
                        assertThat(js.path("ticket").path("needsConfirmation").asBoolean()).isEqualTo(t.needsConfirmation());
                        assertThat(js.path("ticket").path("confirmBy").asText(null))
                                .isEqualTo(t.confirmBy().map(Object::toString).orElse(null));
                    });
                }
                case ChatEvent.ActionResult r -> {
                    assertThat(js.path("id").asText()).isEqualTo(r.id());
                    assertThat(js.path("status").asText()).isEqualTo(r.status().code());
                    assertThat(js.path("message").asText()).isEqualTo(r.message());
                }
                case ChatEvent.Queued q -> throw new AssertionError("a comment: the client never yields it");
                case ChatEvent.Phase p -> {
                    assertThat(js.path("type").asText()).isEqualTo("phase");
                    assertThat(js.path("phase").asText()).isEqualTo(p.kind().wireName());
                    assertThat(js.path("atMs").asLong()).isEqualTo(p.atMs());
                }
                case ChatEvent.Speech s -> {
                    assertThat(js.path("type").asText()).isEqualTo("speech");
                    assertThat(js.path("text").asText()).isEqualTo(s.text());
                    assertThat(js.path("index").asInt()).isEqualTo(s.index());
                }
                case ChatEvent.InvalidAction a -> {
                    assertThat(js.path("error").asText()).isEqualTo(a.message());
                    assertThat(js.path("code").asText()).isEqualTo(a.code().code());
                }
                case ChatEvent.Done d -> {
                    assertThat(js.path("type").asText()).isEqualTo("done");
                    assertThat(js.path("completion_tokens").asLong()).isEqualTo(d.usage().completionTokens());
                    assertThat(js.path("conversation_id").asLong()).isEqualTo(d.conversationId().orElseThrow());
                }
                case ChatEvent.Failed x -> throw new AssertionError("no error in the first stream");
            }
            assertThat(js.path("type").asText()).as("event %d", i).isNotEmpty();
        }
        ChatEvent.Failed error = (ChatEvent.Failed) golden.get("error");
        JsonNode js = result.path("failed").path("events").get(0);
        assertThat(result.path("failed").path("outcome").asText()).isEqualTo("error");
        assertThat(js.path("code").asText()).isEqualTo(error.code().code());
        assertThat(js.path("error").asText()).isEqualTo(error.message());
        assertThat(js.path("conversationId").asLong()).isEqualTo(error.conversationId().orElseThrow());
        assertThat(js.path("retryAfter").asLong()).isEqualTo(3);
    }

    @Test
    void shouldParseServerSentEventsInTheBrowserWhereverTheBytesAreSplit() {
        browser.open(f.server.baseUri().toString());
        JsonNode result = browser.asyncScript("""
                const { SseParser } = await import('/static/chat-stream-client.js');
                const text = ': stream open\\n\\nid: 1\\ndata: {"type": "chunk", "content": "Olá 🌍"}\\n\\n'
                    + 'event: final_text\\r\\ndata: one\\r\\ndata: two\\r\\n\\r\\nevent: done\\rdata: {}\\r\\r';
                const bytes = new TextEncoder().encode(text);
                const parse = (parts) => {
                  const events = [];
                  const p = new SseParser((e) => events.push(e.event + '|' + e.data));
                  parts.forEach((part) => p.push(part));
                  p.end();
                  return JSON.stringify(events);
                };
                const whole = parse([bytes]);
                const bad = [];
                for (let a = 0; a <= bytes.length; a++) {
                  for (const b of [a, Math.min(bytes.length, a + 1), Math.min(bytes.length, a + 3)]) {
                    const split = parse([bytes.slice(0, a), bytes.slice(a, b), bytes.slice(b)]);
                    if (split !== whole) bad.push(a + ',' + b + ': ' + split);
                  }
                }
                done({whole, bad});""");
        assertThat(result.path("bad").toString()).isEqualTo("[]");
        assertThat(result.path("whole").asText()).isEqualTo("[\"message|{\\\"type\\\": \\\"chunk\\\", \\\"content\\\": "
                + "\\\"Olá 🌍\\\"}\",\"final_text|one\\ntwo\",\"done|{}\"]");
    }

    @Test
    void shouldServeThePageWithAStrictContentSecurityPolicy() {
        HttpResponse<String> page = f.send(f.get("", null));
        HttpResponse<String> script = f.send(f.get("static/chat-stream-client.js", null));
        HttpResponse<String> missing = f.send(f.get("static/nope.js", null));

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html;charset=UTF-8");
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValue(WebResource.CSP);
        assertThat(WebResource.CSP).contains("script-src 'self'").doesNotContain("unsafe");
        assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(script.headers().firstValue("Content-Type")).hasValue("text/javascript;charset=UTF-8");
        assertThat(missing.statusCode()).isEqualTo(404);
    }
}
