package dev.chatstream.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ConversationsTest {
    private static final UserId ANA = UserId.of("ana");
    private static final UserId RUI = UserId.of("rui");
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-24T14:05:00Z"), ZoneId.of("Europe/Lisbon"));

    private final InMemoryConversationStore store = new InMemoryConversationStore(CLOCK);
    private final Conversations conversations = new Conversations(store, ChatSettings.defaults());

    private RecordingEventSink run(LlmStream llm, ChatRequest request, RecordingEventSink sink) {
        ChatRequest resumed = conversations.resume(request);
        new ChatStreamer(llm, new InMemoryPromptContextSource("BASE"), new InMemoryMemoryStore(), CLOCK,
                ChatSettings.defaults()).stream(resumed, conversations.recording(resumed, sink), new Cancellation());
        return sink;
    }

    private static List<String> contents(List<StoredMessage> messages) {
        return messages.stream().map(StoredMessage::content).toList();
    }

    @Test
    void shouldStoreAFinishedTurnAndPutItsConversationIdOnDone() {
        ScriptedLlmStream llm = ScriptedLlmStream.replying("Olá ", "Ana!\nACTION: {\"tool\": \"x\", \"args\": {}}");

        RecordingEventSink sink = run(llm, ChatRequest.of(ANA, "Olá"), new RecordingEventSink());

        long id = store.conversations(ANA).getFirst().id();
        assertThat(sink.events().getLast()).isEqualTo(new ChatEvent.Done(llm.usage(), OptionalLong.of(id)));
        assertThat(contents(store.messages(ANA, id).orElseThrow())).as("the reply is stored without its ACTION line")
                .containsExactly("Olá", "Olá Ana!");
    }

    /** Issue 27 item 1: a turn knows its conversation from its start, so a stopped first reply is not lost. */
    @Test
    void shouldGiveANewTurnItsConversationAtItsStartAndStoreTheTurnThere() {
        ChatRequest asked = ChatRequest.of(ANA, "Conta uma história").withHistory(List.of(ChatMessage.user("antes")));

        ChatRequest begun = conversations.begin(asked);

        long id = begun.conversationId().orElseThrow();
        assertThat(begun.history()).as("the client's history stays: the new conversation has none")
                .isEqualTo(asked.history());
        assertThat(store.conversations(ANA)).extracting(Conversation::id, Conversation::title)
                .containsExactly(tuple(id, "Conta uma história"));
        assertThat(store.messages(ANA, id)).hasValue(List.of());
        assertThat(conversations.begin(begun)).as("a request that names its conversation is left alone")
                .isSameAs(begun);

        RecordingEventSink sink = new RecordingEventSink();
        EventSink recording = conversations.recording(begun, sink);
        recording.send(new ChatEvent.Chunk("Era uma vez"));
        recording.send(new ChatEvent.Failed(ErrorCode.CANCELLED, "Stopped"));

        assertThat(store.conversations(ANA)).hasSize(1);
        assertThat(store.messages(ANA, id).orElseThrow()).extracting(StoredMessage::content, StoredMessage::status)
                .containsExactly(tuple("Conta uma história", MessageStatus.COMPLETE),
                        tuple("Era uma vez", MessageStatus.CANCELLED));
        assertThat(sink.events().getLast()).isEqualTo(new ChatEvent.Failed(ErrorCode.CANCELLED, "Stopped")
                .withConversationId(id));
    }

    @Test
    void shouldContinueFromStoredHistoryInPlaceOfTheClients() {
        long id = store.saveTurn(ANA, OptionalLong.empty(), "O meu gato chama-se Tareco",
                new Reply("Que nome bonito!", MessageStatus.COMPLETE));
        ScriptedLlmStream llm = ScriptedLlmStream.replying("Tareco.");

        run(llm, ChatRequest.of(ANA, "Como se chama o meu gato?").withConversationId(id)
                .withHistory(List.of(ChatMessage.user("ignored"))), new RecordingEventSink());

        List<ChatMessage> prompt = llm.lastRequest().messages();
        assertThat(prompt.subList(prompt.size() - 3, prompt.size())).containsExactly(
                ChatMessage.user("O meu gato chama-se Tareco"), ChatMessage.assistant("Que nome bonito!"),
                ChatMessage.user("Como se chama o meu gato?"));
        assertThat(contents(store.messages(ANA, id).orElseThrow())).containsExactly("O meu gato chama-se Tareco",
                "Que nome bonito!", "Como se chama o meu gato?", "Tareco.");
    }

    /** Issue 27 item 5: regenerate the last reply, or edit a message and send it again. */
    @Test
    void shouldReplaceAStoredMessageAndEverythingAfterItWhenTheNewTurnIsStored() {
        long id = store.saveTurn(ANA, OptionalLong.empty(), "O meu gato chama-se Tareco",
                new Reply("Que nome bonito!", MessageStatus.COMPLETE));
        store.saveTurn(ANA, OptionalLong.of(id), "Quantos anos tem?", new Reply("Não sei.", MessageStatus.COMPLETE));
        store.saveTurn(ANA, OptionalLong.of(id), "Adeus", new Reply("Até logo!", MessageStatus.COMPLETE));
        List<StoredMessage> before = store.messages(ANA, id).orElseThrow();
        long second = before.get(2).id();
        ScriptedLlmStream llm = ScriptedLlmStream.replying("Tem ", "três.");

        RecordingEventSink sink = run(llm, ChatRequest.of(ANA, "O Tareco tem três anos. Quantos tem?")
                .withConversationId(id).withReplaceFrom(second), new RecordingEventSink());

        assertThat(llm.lastRequest().messages().subList(llm.lastRequest().messages().size() - 3,
                llm.lastRequest().messages().size())).as("the history ends before the replaced message").containsExactly(
                ChatMessage.user("O meu gato chama-se Tareco"), ChatMessage.assistant("Que nome bonito!"),
                ChatMessage.user("O Tareco tem três anos. Quantos tem?"));
        List<StoredMessage> after = store.messages(ANA, id).orElseThrow();
        assertThat(contents(after)).containsExactly("O meu gato chama-se Tareco", "Que nome bonito!",
                "O Tareco tem três anos. Quantos tem?", "Tem três.");
        assertThat(after.subList(0, 2)).as("the messages before it are untouched").isEqualTo(before.subList(0, 2));
        assertThat(after.get(2).id()).as("new messages, new ids").isGreaterThan(before.getLast().id());
        assertThat(sink.events().getLast()).isInstanceOf(ChatEvent.Done.class);
    }

    @Test
    void shouldLeaveTheMessagesToReplaceAsTheyWereWhenTheNewTurnShowedNothing() {
        long id = store.saveTurn(ANA, OptionalLong.empty(), "Olá", new Reply("Olá, Ana!", MessageStatus.COMPLETE));
        List<StoredMessage> before = store.messages(ANA, id).orElseThrow();
        ChatRequest regenerate = conversations.resume(ChatRequest.of(ANA, "Olá").withConversationId(id)
                .withReplaceFrom(before.getFirst().id()));
        assertThat(regenerate.history()).isEmpty();

        for (ErrorCode code : List.of(ErrorCode.LLM_UNAVAILABLE, ErrorCode.CANCELLED)) {
            RecordingEventSink sink = new RecordingEventSink();
            conversations.recording(regenerate, sink).send(new ChatEvent.Failed(code, "no"));
            assertThat(sink.events()).containsExactly(new ChatEvent.Failed(code, "no"));
            assertThat(store.messages(ANA, id)).as(code.name()).hasValue(before);
        }

        EventSink stopped = conversations.recording(regenerate, new RecordingEventSink());
        stopped.send(new ChatEvent.Chunk("Bom dia"));
        stopped.send(new ChatEvent.Failed(ErrorCode.CANCELLED, "Stopped"));
        assertThat(store.messages(ANA, id).orElseThrow()).extracting(StoredMessage::content, StoredMessage::status)
                .as("what the user saw of the new reply replaces the old one")
                .containsExactly(tuple("Olá", MessageStatus.COMPLETE), tuple("Bom dia", MessageStatus.CANCELLED));
    }

    @Test
    void shouldRefuseToReplaceAMessageThatIsNotTheUsersInThatConversation() {
        long id = store.saveTurn(ANA, OptionalLong.empty(), "Olá", new Reply("Olá, Ana!", MessageStatus.COMPLETE));
        long other = store.saveTurn(ANA, OptionalLong.empty(), "Outra", new Reply("Sim", MessageStatus.COMPLETE));
        List<StoredMessage> messages = store.messages(ANA, id).orElseThrow();
        long reply = messages.get(1).id();
        long elsewhere = store.messages(ANA, other).orElseThrow().getFirst().id();

        for (long from : new long[] {reply, elsewhere, 999}) {
            assertThatThrownBy(() -> conversations.resume(ChatRequest.of(ANA, "Olá").withConversationId(id)
                    .withReplaceFrom(from)))
                    .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field())
                            .isEqualTo("replace_from"))
                    .hasMessage("replace_from " + from + " is not a message you wrote in conversation " + id
                            + "; use the id of one of its user messages (GET /api/conversations/" + id + ")");
        }
        assertThat(store.messages(ANA, id)).hasValue(messages);
    }

    @Test
    void shouldRefuseAnotherUsersConversationBeforeStreaming() {
        long anas = store.saveTurn(ANA, OptionalLong.empty(), "segredo", new Reply("ok", MessageStatus.COMPLETE));

        assertThatThrownBy(() -> conversations.resume(ChatRequest.of(RUI, "olá").withConversationId(anas)))
                .isInstanceOf(ConversationNotFoundException.class)
                .hasMessage("Conversation " + anas + " was not found; leave out conversation_id to start a new one");
        assertThat(store.messages(ANA, anas).orElseThrow()).hasSize(2);
    }

    @Test
    void shouldKeepWhatTheUserSawWhenTheyLeaveMidReply() {
        ScriptedLlmStream llm = ScriptedLlmStream.replying("Era ", "uma ", "vez ", "um ", "gato");

        RecordingEventSink sink = run(llm, ChatRequest.of(ANA, "Conta uma história"), RecordingEventSink.goneAfter(2));

        assertThat(sink.events().getLast()).isInstanceOf(ChatEvent.Failed.class);
        List<StoredMessage> stored = store.messages(ANA, store.conversations(ANA).getFirst().id()).orElseThrow();
        assertThat(stored.getLast().status()).isEqualTo(MessageStatus.CANCELLED);
        assertThat(stored.getLast().content()).isEqualTo("Era uma");
    }

    /** Issue 26: a reply the model cut at its length limit is stored as truncated, never as complete. */
    @Test
    void shouldMarkAReplyCutAtTheLengthLimitAsTruncated() {
        Usage cut = new Usage(40, 128, java.time.Duration.ofSeconds(2), java.time.Duration.ZERO,
                java.time.Duration.ZERO, java.time.Duration.ofSeconds(1), Usage.LENGTH);
        ScriptedLlmStream llm = ScriptedLlmStream.script().text("Era uma vez um gato que").usage(cut).build();

        RecordingEventSink sink = run(llm, ChatRequest.of(ANA, "Conta uma história longa"), new RecordingEventSink());

        assertThat(sink.terminal()).isInstanceOfSatisfying(ChatEvent.Done.class,
                d -> assertThat(d.usage().truncated()).isTrue());
        List<StoredMessage> stored = store.messages(ANA, store.conversations(ANA).getFirst().id()).orElseThrow();
        assertThat(stored.getLast().status()).isEqualTo(MessageStatus.TRUNCATED);
        assertThat(stored.getLast().content()).isEqualTo("Era uma vez um gato que");
    }

    @Test
    void shouldMarkAReplyThatBrokeOffAsFailed() {
        ScriptedLlmStream llm = ScriptedLlmStream.script().text("Vou ver ")
                .fail(new UpstreamException(ErrorCode.LLM_FAILED, "Ollama failed mid-reply")).build();

        RecordingEventSink sink = run(llm, ChatRequest.of(ANA, "Que tempo faz?"), new RecordingEventSink());

        long id = store.conversations(ANA).getFirst().id();
        assertThat(sink.events().getLast()).as("the error says where the unfinished turn was kept").isEqualTo(
                new ChatEvent.Failed(ErrorCode.LLM_FAILED, "Ollama failed mid-reply", OptionalLong.of(id)));
        List<StoredMessage> stored = store.messages(ANA, id).orElseThrow();
        assertThat(stored).extracting(StoredMessage::content, StoredMessage::status).containsExactly(
                tuple("Que tempo faz?", MessageStatus.COMPLETE),
                tuple("Vou ver", MessageStatus.FAILED));
    }

    @Test
    void shouldSayTheReplyWasNotSavedWhenTheStoreFailsAtTheEnd() {
        FailingStore broken = new FailingStore();
        Conversations failing = new Conversations(broken, ChatSettings.defaults());
        RecordingEventSink sink = new RecordingEventSink();
        ChatRequest request = ChatRequest.of(ANA, "Olá");

        new ChatStreamer(ScriptedLlmStream.replying("Olá!"), new InMemoryPromptContextSource("BASE"),
                new InMemoryMemoryStore(), CLOCK, ChatSettings.defaults())
                .stream(request, failing.recording(request, sink), new Cancellation());

        assertThat(sink.events()).filteredOn(ChatEvent::terminal).containsExactly(new ChatEvent.Failed(
                ErrorCode.STORE_UNAVAILABLE, "The reply could not be saved: the database is down; try again"));
        assertThat(broken.attempts).as("the finished turn was offered to the store once").containsExactly("Olá");
    }

    @Test
    void shouldRefuseToBeginATurnWhenTheStoreCannotStartItsConversation() {
        FailingStore broken = new FailingStore();

        assertThatThrownBy(() -> new Conversations(broken, ChatSettings.defaults()).begin(ChatRequest.of(ANA, "Olá")))
                .isInstanceOfSatisfying(ChatException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE));
        assertThat(broken.attempts).containsExactly("Olá");
    }

    @Test
    void shouldFitStoredHistoryToTheWindowAndSkipEmptyReplies() {
        long id = store.saveTurn(ANA, OptionalLong.empty(), "m0", new Reply("", MessageStatus.FAILED));
        for (int i = 1; i < 10; i++) {
            store.saveTurn(ANA, OptionalLong.of(id), "m" + i, new Reply("r" + i, MessageStatus.COMPLETE));
        }
        store.saveTurn(ANA, OptionalLong.of(id), "long", new Reply("x".repeat(40_000), MessageStatus.COMPLETE));

        ChatRequest resumed = conversations.resume(ChatRequest.of(ANA, "e agora?").withConversationId(id));

        List<ChatMessage> history = resumed.history();
        assertThat(history).hasSize(12);
        assertThat(history.getFirst()).isEqualTo(ChatMessage.user("m5"));
        assertThat(history.getLast().content()).hasSize(ChatSettings.defaults().maxHistoryItemChars());
        new ChatStreamer(ScriptedLlmStream.replying(), new InMemoryPromptContextSource("BASE"),
                new InMemoryMemoryStore(), CLOCK, ChatSettings.defaults()).validate(resumed);
    }

    /**
     * Issue 27 item 2: a request that failed before its first word (model not found, Ollama down) leaves no
     * conversation holding nothing but that error; in a conversation with turns it is kept, as what happened.
     */
    @Test
    void shouldKeepNoConversationThatWouldHoldOnlyAFailedFirstTurn() {
        ScriptedLlmStream down = ScriptedLlmStream.script()
                .fail(new TransientException(ErrorCode.LLM_UNAVAILABLE, "Ollama is not reachable")).build();

        RecordingEventSink plain = run(down, ChatRequest.of(ANA, "Olá"), new RecordingEventSink());
        ChatRequest begun = conversations.begin(ChatRequest.of(ANA, "Olá de novo"));
        RecordingEventSink sink = new RecordingEventSink();
        new ChatStreamer(down, new InMemoryPromptContextSource("BASE"), new InMemoryMemoryStore(), CLOCK,
                ChatSettings.defaults()).stream(begun, conversations.recording(begun, sink), new Cancellation());

        assertThat(store.conversations(ANA)).as("neither a new nor a begun conversation is kept").isEmpty();
        assertThat(plain.terminal()).isEqualTo(new ChatEvent.Failed(ErrorCode.LLM_UNAVAILABLE, "Ollama is not reachable"));
        assertThat(sink.terminal()).as("no conversation id: there is none to continue")
                .isEqualTo(new ChatEvent.Failed(ErrorCode.LLM_UNAVAILABLE, "Ollama is not reachable"));

        long id = store.saveTurn(ANA, OptionalLong.empty(), "antes", new Reply("sim", MessageStatus.COMPLETE));
        run(down, ChatRequest.of(ANA, "e agora?").withConversationId(id), new RecordingEventSink());
        assertThat(store.messages(ANA, id).orElseThrow()).extracting(StoredMessage::content, StoredMessage::status)
                .containsExactly(tuple("antes", MessageStatus.COMPLETE), tuple("sim", MessageStatus.COMPLETE),
                        tuple("e agora?", MessageStatus.COMPLETE), tuple("", MessageStatus.FAILED));
    }

    @Test
    void shouldNotStoreARequestThatWasInvalid() {
        RecordingEventSink sink = run(ScriptedLlmStream.replying("x"), ChatRequest.of(ANA, "  "), new RecordingEventSink());

        assertThat(sink.events()).singleElement().extracting(e -> ((ChatEvent.Failed) e).code())
                .isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(store.conversations(ANA)).isEmpty();
    }

    /** A store whose writes fail as a database that went away would. */
    private static final class FailingStore implements ConversationStore {
        private final List<String> attempts = new ArrayList<>();

        @Override
        public List<Conversation> conversations(UserId user) {
            return List.of();
        }

        @Override
        public Optional<List<StoredMessage>> messages(UserId user, long conversationId) {
            return Optional.empty();
        }

        @Override
        public long saveTurn(UserId user, OptionalLong conversationId, String message, Reply reply) {
            attempts.add(message);
            throw new TransientException(ErrorCode.STORE_UNAVAILABLE, "the database is down; try again");
        }

        @Override
        public long replaceTurns(UserId user, long conversationId, long fromMessageId, String message, Reply reply) {
            return saveTurn(user, OptionalLong.of(conversationId), message, reply);
        }

        @Override
        public long startConversation(UserId user, String firstMessage) {
            attempts.add(firstMessage);
            throw new TransientException(ErrorCode.STORE_UNAVAILABLE, "the database is down; try again");
        }

        @Override
        public boolean delete(UserId user, long conversationId) {
            return false;
        }

        @Override
        public boolean rename(UserId user, long conversationId, String title) {
            throw new IllegalStateException("not used here");
        }
    }
}
