package dev.chatstream.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chatstream.core.ChatException;
import dev.chatstream.core.ErrorCode;
import dev.chatstream.core.MessageStatus;
import dev.chatstream.core.Reply;
import dev.chatstream.core.UserId;
import java.time.Duration;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** What only PostgreSQL must show: a server that goes away and comes back, a server that is not there. */
class PostgresStoreTest {
    private static final UserId ANA = UserId.of("ana");

    @Test
    void shouldFailClearlyWhileTheServerIsDownAndRecoverWhenItIsBack() {
        TestPostgres postgres = TestPostgres.shared();
        StoreConfig config = postgres.newDatabase().withConnectTimeout(Duration.ofMillis(500)); // scaled down from 5 s
        try (JdbcStore store = JdbcStore.open(config)) {
            long id = store.conversations().saveTurn(ANA, OptionalLong.empty(), "antes",
                    new Reply("ok", MessageStatus.COMPLETE));
            postgres.stop();
            try {
                assertThatThrownBy(() -> store.conversations().saveTurn(ANA, OptionalLong.of(id), "durante",
                        new Reply("perdido?", MessageStatus.COMPLETE)))
                        .isInstanceOf(ChatException.class)
                        .hasMessage("The store could not save the conversation; try again in a moment")
                        .extracting(e -> ((ChatException) e).code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE);
            } finally {
                postgres.start();
            }

            saveOnceBack(store, id);
            assertThat(store.conversations().messages(ANA, id).orElseThrow())
                    .extracting(m -> m.content()).as("the failed turn left nothing behind")
                    .containsExactly("antes", "ok", "depois", "ok");
        }
    }

    /** The pool reconnects once PostgreSQL answers again; a caller retries, as a client would after a 503. */
    private static void saveOnceBack(JdbcStore store, long id) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        for (;;) {
            try {
                store.conversations().saveTurn(ANA, OptionalLong.of(id), "depois", new Reply("ok", MessageStatus.COMPLETE));
                return;
            } catch (ChatException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
        }
    }

    @Test
    void shouldSayWhatToCheckWhenPostgresIsNotThere() {
        StoreConfig nowhere = new StoreConfig("jdbc:postgresql://127.0.0.1:1/chatstream?password=hunter2",
                "chatstream", "secret", 2, Duration.ofSeconds(1));

        assertThatThrownBy(() -> JdbcStore.open(nowhere))
                .isInstanceOf(StoreException.class)
                .hasMessageStartingWith("Cannot open the store at jdbc:postgresql://127.0.0.1:1/chatstream?password=***: ")
                .hasMessageEndingWith("; check that PostgreSQL is running, and the URL, user and password")
                .message().doesNotContain("hunter2").doesNotContain("secret");
    }
}
