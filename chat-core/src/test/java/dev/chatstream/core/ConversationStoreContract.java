package dev.chatstream.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.groups.Tuple.tuple;

import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * The rules every {@link ConversationStore} obeys. An implementation's test extends this class and returns
 * a fresh, empty store.
 */
public abstract class ConversationStoreContract {
    private static final UserId ANA = UserId.of("ana");
    private static final UserId RUI = UserId.of("rui");
    private static final Reply DONE = new Reply("Olá Ana!", MessageStatus.COMPLETE);

    /** A new, empty store. */
    protected abstract ConversationStore newStore();

    @Test
    void shouldStartAConversationTitledAfterItsFirstMessage() {
        ConversationStore store = newStore();

        long id = store.saveTurn(ANA, OptionalLong.empty(), "Olá, como estás?", DONE);

        assertThat(store.conversations(ANA)).singleElement().satisfies(c -> {
            assertThat(c.id()).isEqualTo(id);
            assertThat(c.title()).isEqualTo("Olá, como estás?");
        });
        assertThat(store.messages(ANA, id)).hasValueSatisfying(messages -> {
            assertThat(messages).extracting(StoredMessage::role).containsExactly(Role.USER, Role.ASSISTANT);
            assertThat(messages).extracting(StoredMessage::content).containsExactly("Olá, como estás?", "Olá Ana!");
            assertThat(messages).extracting(StoredMessage::status)
                    .containsExactly(MessageStatus.COMPLETE, MessageStatus.COMPLETE);
        });
    }

    @Test
    void shouldContinueAConversationInOrder() {
        ConversationStore store = newStore();
        long id = store.saveTurn(ANA, OptionalLong.empty(), "um", new Reply("1", MessageStatus.COMPLETE));

        long again = store.saveTurn(ANA, OptionalLong.of(id), "dois", new Reply("2", MessageStatus.COMPLETE));

        assertThat(again).isEqualTo(id);
        List<StoredMessage> messages = store.messages(ANA, id).orElseThrow();
        assertThat(messages).extracting(StoredMessage::content).containsExactly("um", "1", "dois", "2");
        assertThat(messages).extracting(StoredMessage::id).isSorted().doesNotHaveDuplicates();
        assertThat(store.conversations(ANA)).hasSize(1);
    }

    /** Every status a reply can end with is stored and read back as it was (truncated: issue 26). */
    @Test
    void shouldKeepEveryReplyStatus() {
        ConversationStore store = newStore();
        long id = store.saveTurn(ANA, OptionalLong.empty(), "primeira", new Reply("r", MessageStatus.COMPLETE));
        for (MessageStatus status : MessageStatus.values()) {
            store.saveTurn(ANA, OptionalLong.of(id), "pergunta " + status, new Reply("resposta", status));
        }

        List<StoredMessage> messages = store.messages(ANA, id).orElseThrow();
        assertThat(messages.subList(2, messages.size())).filteredOn(m -> m.role() == Role.ASSISTANT)
                .extracting(StoredMessage::status).containsExactly(MessageStatus.values());
    }

    /** Issue 27 item 2: a reopened conversation shows the actions, their results and the error the user saw. */
    @Test
    void shouldKeepWhatTheUserSawBesideTheTextOfAReply() {
        ConversationStore store = newStore();
        java.util.Map<String, Object> args = new java.util.LinkedHashMap<>();
        args.put("domain", "lock");
        args.put("service", "unlock");
        args.put("entity_id", "lock.porta");
        args.put("code", List.of(1L, 2.5, true, "a\"b\nç 🌙"));
        List<ChatEvent> seen = List.of(
                new ChatEvent.ActionRequested(new Action("homeassistant_call_service", args), java.util.Optional.of(
                        new ChatEvent.ActionTicket("act_Qm9y", java.util.Optional.of(
                                java.time.Instant.parse("2026-12-01T10:15:30Z"))))),
                new ChatEvent.ActionRequested(new Action("homeassistant_call_service", java.util.Map.of("domain",
                        "light")), java.util.Optional.of(new ChatEvent.ActionTicket("act_b3Bl", java.util.Optional.empty()))),
                new ChatEvent.ActionResult("act_b3Bl", ActionStatus.DONE, "Home Assistant ran light.turn_on"),
                new ChatEvent.InvalidAction("The ACTION line is not JSON"),
                new ChatEvent.Failed(ErrorCode.LLM_UNAVAILABLE, "The connection to Ollama broke; run `ollama serve`"));

        long id = store.saveTurn(ANA, OptionalLong.empty(), "abre a porta", new Reply("Abro", MessageStatus.FAILED,
                seen));

        List<StoredMessage> messages = store.messages(ANA, id).orElseThrow();
        assertThat(messages.get(0).events()).isEmpty();
        assertThat(messages.get(1).events()).isEqualTo(seen);
    }

    @Test
    void shouldKeepAnUnfinishedReplyWithItsStatus() {
        ConversationStore store = newStore();

        long id = store.saveTurn(ANA, OptionalLong.empty(), "conta uma história",
                new Reply("Era uma vez", MessageStatus.CANCELLED));
        store.saveTurn(ANA, OptionalLong.of(id), "outra", new Reply("", MessageStatus.FAILED));

        assertThat(store.messages(ANA, id).orElseThrow()).extracting(StoredMessage::content, StoredMessage::status)
                .containsExactly(
                        tuple("conta uma história", MessageStatus.COMPLETE),
                        tuple("Era uma vez", MessageStatus.CANCELLED),
                        tuple("outra", MessageStatus.COMPLETE),
                        tuple("", MessageStatus.FAILED));
    }

    @Test
    void shouldListTheMostRecentlyUpdatedConversationFirst() {
        ConversationStore store = newStore();
        long first = store.saveTurn(ANA, OptionalLong.empty(), "primeira", DONE);
        long second = store.saveTurn(ANA, OptionalLong.empty(), "segunda", DONE);
        assertThat(store.conversations(ANA)).extracting(Conversation::id).containsExactly(second, first);

        store.saveTurn(ANA, OptionalLong.of(first), "de novo", DONE);

        assertThat(store.conversations(ANA)).extracting(Conversation::id).containsExactly(first, second);
    }

    @Test
    void shouldStoreTextVerbatimIncludingSqlAndUnicode() {
        ConversationStore store = newStore();
        String message = "'); DROP TABLE messages; -- 😀 ação? não: \"aspas\" % _";

        long id = store.saveTurn(ANA, OptionalLong.empty(), message, new Reply("ok' OR '1'='1", MessageStatus.COMPLETE));

        assertThat(store.messages(ANA, id).orElseThrow()).extracting(StoredMessage::content)
                .containsExactly(message, "ok' OR '1'='1");
    }

    @Test
    void shouldCutALongTitle() {
        ConversationStore store = newStore();

        store.saveTurn(ANA, OptionalLong.empty(), "a".repeat(500), DONE);

        assertThat(store.conversations(ANA).getFirst().title()).hasSize(Conversation.MAX_TITLE_CHARS).endsWith("…");
    }

    @Test
    void shouldRenameOnlyTheUsersOwnConversationAndKeepItsMessages() {
        ConversationStore store = newStore();
        long id = store.saveTurn(ANA, OptionalLong.empty(), "olá", DONE);
        java.time.Instant updated = store.conversations(ANA).get(0).updatedAt();

        assertThat(store.rename(ANA, id, "  Férias\nem   agosto ")).isTrue();
        assertThat(store.rename(RUI, id, "não é meu")).as("another user's").isFalse();
        assertThat(store.rename(ANA, id + 1000, "nenhum")).isFalse();

        Conversation renamed = store.conversations(ANA).get(0);
        assertThat(renamed.title()).isEqualTo("Férias em agosto");
        assertThat(renamed.updatedAt()).as("not a new message").isEqualTo(updated);
        assertThat(store.messages(ANA, id).orElseThrow()).hasSize(2);
        assertThat(store.rename(ANA, id, "x".repeat(500))).isTrue();
        assertThat(store.conversations(ANA).get(0).title()).hasSize(Conversation.MAX_TITLE_CHARS).endsWith("…");
    }

    @Test
    void shouldReplaceAMessageAndEveryLaterOneWithANewTurnInOneStep() {
        ConversationStore store = newStore();
        long id = store.saveTurn(ANA, OptionalLong.empty(), "um", DONE);
        store.saveTurn(ANA, OptionalLong.of(id), "dois", DONE);
        long other = store.saveTurn(ANA, OptionalLong.empty(), "outra", DONE);
        List<StoredMessage> before = store.messages(ANA, id).orElseThrow();
        List<StoredMessage> untouched = store.messages(ANA, other).orElseThrow();
        Reply again = new Reply("de novo", MessageStatus.CANCELLED, List.of());

        assertThat(store.replaceTurns(ANA, id, before.get(2).id(), "dois, outra vez", again)).isEqualTo(id);

        List<StoredMessage> after = store.messages(ANA, id).orElseThrow();
        assertThat(after).extracting(StoredMessage::content).containsExactly("um", before.get(1).content(),
                "dois, outra vez", "de novo");
        assertThat(after.subList(0, 2)).isEqualTo(before.subList(0, 2));
        assertThat(after.get(3).status()).isEqualTo(MessageStatus.CANCELLED);
        assertThat(after.get(2).id()).isGreaterThan(untouched.getLast().id());
        assertThat(store.messages(ANA, other)).as("another conversation").hasValue(untouched);
        assertThat(store.conversations(ANA).getFirst().id()).as("the newest again").isEqualTo(id);

        store.replaceTurns(ANA, id, after.getFirst().id(), "só isto", DONE);
        assertThat(store.messages(ANA, id).orElseThrow()).extracting(StoredMessage::content)
                .containsExactly("só isto", DONE.text());
        assertThatThrownBy(() -> store.replaceTurns(RUI, id, after.getFirst().id(), "meu?", DONE))
                .isInstanceOf(ConversationNotFoundException.class);
        assertThat(store.messages(ANA, id).orElseThrow()).hasSize(2);
    }

    @Test
    void shouldDeleteAConversationWithItsMessages() {
        ConversationStore store = newStore();
        long id = store.saveTurn(ANA, OptionalLong.empty(), "olá", DONE);

        assertThat(store.delete(ANA, id)).isTrue();

        assertThat(store.conversations(ANA)).isEmpty();
        assertThat(store.messages(ANA, id)).isEmpty();
        assertThat(store.delete(ANA, id)).isFalse();
        assertThatThrownBy(() -> store.saveTurn(ANA, OptionalLong.of(id), "mais", DONE))
                .isInstanceOf(ConversationNotFoundException.class);
    }

    @Test
    void shouldAnswerAForeignConversationExactlyLikeAMissingOne() {
        ConversationStore store = newStore();
        long anas = store.saveTurn(ANA, OptionalLong.empty(), "segredo da Ana", DONE);
        long missing = anas + 1000;

        assertThat(store.conversations(RUI)).isEmpty();
        assertThat(store.messages(RUI, anas)).isEmpty();
        assertThat(store.delete(RUI, anas)).isFalse();
        Throwable foreign = catchThrowable(() -> store.saveTurn(RUI, OptionalLong.of(anas), "olá", DONE));
        Throwable unknown = catchThrowable(() -> store.saveTurn(RUI, OptionalLong.of(missing), "olá", DONE));
        assertThat(foreign).isInstanceOf(ConversationNotFoundException.class)
                .hasMessage("Conversation " + anas + " was not found; leave out conversation_id to start a new one");
        assertThat(unknown).isInstanceOf(ConversationNotFoundException.class)
                .hasMessage("Conversation " + missing + " was not found; leave out conversation_id to start a new one");

        assertThat(store.messages(ANA, anas).orElseThrow()).hasSize(2);
        assertThat(store.conversations(ANA)).hasSize(1);
    }

    /** A turn knows its conversation from its start (issue 27): the conversation exists, empty, before the turn is stored. */
    @Test
    void shouldStartAnEmptyConversationListedFirstUntilItsTurnIsStored() {
        ConversationStore store = newStore();
        long older = store.saveTurn(ANA, OptionalLong.empty(), "antiga", DONE);

        long id = store.startConversation(ANA, "conta uma história longa");

        assertThat(id).isNotEqualTo(older);
        assertThat(store.messages(ANA, id)).hasValue(List.of());
        assertThat(store.conversations(ANA)).extracting(Conversation::id, Conversation::title)
                .containsExactly(tuple(id, "conta uma história longa"), tuple(older, "antiga"));
        assertThat(store.conversations(RUI)).isEmpty();
        assertThat(store.messages(RUI, id)).isEmpty();

        store.saveTurn(ANA, OptionalLong.of(older), "de novo", DONE);
        long second = store.startConversation(ANA, "outra");
        assertThat(store.conversations(ANA)).extracting(Conversation::id).containsExactly(second, id, older);

        assertThat(store.saveTurn(ANA, OptionalLong.of(id), "conta uma história longa",
                new Reply("Era uma vez", MessageStatus.CANCELLED))).isEqualTo(id);
        assertThat(store.messages(ANA, id).orElseThrow()).extracting(StoredMessage::content)
                .containsExactly("conta uma história longa", "Era uma vez");
        assertThat(store.conversations(ANA)).extracting(Conversation::id).containsExactly(second, id, older);
        assertThatThrownBy(() -> store.saveTurn(RUI, OptionalLong.of(second), "olá", DONE))
                .isInstanceOf(ConversationNotFoundException.class);
    }
}
