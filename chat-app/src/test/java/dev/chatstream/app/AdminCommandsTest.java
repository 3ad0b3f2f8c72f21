package dev.chatstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatstream.core.UserId;
import dev.chatstream.store.JdbcStore;
import dev.chatstream.store.StoreConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Users, tokens, memories and home context through the commands, checked in the real SQLite store. */
class AdminCommandsTest {
    @TempDir
    Path data;

    private Cli cli() {
        return new Cli(data, "http://127.0.0.1:1");
    }

    private JdbcStore store() {
        return JdbcStore.open(StoreConfig.inDataDir(data));
    }

    @Test
    void shouldPrintANewUsersTokenAloneOnStandardOutput() {
        Cli.Run add = cli().run("users", "add", "ana");

        assertThat(add.exit()).isZero();
        assertThat(add.out()).matches("cs_[A-Za-z0-9_-]{40,}\n");
        assertThat(add.err()).startsWith("Added the user ana with token #1 (printed above, only now; keep it secret).");
        try (JdbcStore store = store()) {
            assertThat(store.accounts().authenticate(add.out().strip())).contains(UserId.of("ana"));
        }
    }

    @Test
    void shouldRefuseADuplicateUserAndKeepTheFirstToken() {
        String token = cli().run("users", "add", "ana").out().strip();

        Cli.Run again = cli().run("users", "add", "ana");

        assertThat(again.exit()).isEqualTo(2);
        assertThat(again.out()).isEmpty();
        assertThat(again.err()).isEqualTo("chat: A user named \"ana\" already exists\n");
        try (JdbcStore store = store()) {
            assertThat(store.accounts().authenticate(token)).contains(UserId.of("ana"));
        }
    }

    @Test
    void shouldListAndRevokeTokensWithoutEverShowingThem() {
        String first = cli().run("users", "add", "ana").out().strip();
        String second = cli().run("tokens", "create", "--user", "ana", "--label", "laptop").out().strip();

        Cli.Run revoke = cli().run("tokens", "revoke", "1");
        Cli.Run list = cli().run("tokens", "list");
        Cli.Run revokeAgain = cli().run("tokens", "revoke", "1");

        assertThat(revoke.exit()).isZero();
        assertThat(list.out()).contains("laptop").doesNotContain(first).doesNotContain(second);
        assertThat(list.out().lines().skip(1).toList()).hasSize(2);
        assertThat(list.out().lines().skip(1).findFirst().orElseThrow()).startsWith("1 ").doesNotContain(" - ");
        assertThat(revokeAgain.exit()).isEqualTo(8);
        assertThat(revokeAgain.err()).isEqualTo("chat: There is no live token #1; `chat tokens list` shows them\n");
        try (JdbcStore store = store()) {
            assertThat(store.accounts().authenticate(first)).isEmpty();
            assertThat(store.accounts().authenticate(second)).contains(UserId.of("ana"));
        }
    }

    @Test
    void shouldAddListAndDeleteMemoriesOfOneUserOnly() {
        cli().run("users", "add", "ana");
        cli().run("users", "add", "rui");

        Cli.Run add = cli().run("memories", "add", "--user", "ana", "O", "aniversário", "da", "Ana", "é", "a", "3", "de",
                "maio");
        Cli.Run anas = cli().run("memories", "list", "--user", "ana");
        Cli.Run ruis = cli().run("memories", "list", "--user", "rui");
        Cli.Run ruiDeletes = cli().run("memories", "delete", "--user", "rui", add.out().strip());
        Cli.Run anaDeletes = cli().run("memories", "delete", "--user", "ana", add.out().strip());

        assertThat(add.exit()).isZero();
        assertThat(add.out()).isEqualTo("1\n");
        assertThat(anas.out()).contains("O aniversário da Ana é a 3 de maio");
        assertThat(ruis.out().lines()).hasSize(1); // the header only
        assertThat(ruiDeletes.exit()).isEqualTo(8);
        assertThat(ruiDeletes.err()).isEqualTo("chat: User rui has no memory #1; `chat memories list --user rui` "
                + "shows them\n");
        assertThat(anaDeletes.exit()).isZero();
        assertThat(cli().run("memories", "list", "--user", "ana").out().lines()).hasSize(1);
    }

    @Test
    void shouldRefuseAnUnknownUserInsteadOfCreatingOne() {
        Cli.Run run = cli().run("memories", "add", "--user", "anna", "typo");

        assertThat(run.exit()).isEqualTo(8);
        assertThat(run.err()).isEqualTo("chat: There is no user named \"anna\"; `chat users list` shows them, "
                + "`chat users add anna` adds one\n");
        try (JdbcStore store = store()) {
            assertThat(store.accounts().users()).isEmpty();
        }
    }

    @Test
    void shouldImportAHomeAndLeaveItUnchangedWhenTheFileIsBad() throws Exception {
        cli().run("users", "add", "ana");
        Path good = data.resolve("home.json");
        Files.writeString(good, "{\"devices\": [{\"entity_id\": \"climate.sala\", \"name\": \"Ar condicionado da "
                + "sala\", \"area\": \"Sala\", \"aliases\": [\"ar da sala\", \"AC\"]}]}", StandardCharsets.UTF_8);
        Path bad = data.resolve("bad.json");
        Files.writeString(bad, "{\"devices\": [{\"entity_id\": \"light.a\", \"name\": \"A\"}, {\"entity_id\": "
                + "\"light.a\", \"name\": \"B\"}]}", StandardCharsets.UTF_8);

        Cli.Run imported = cli().run("context", "import", "--user", "ana", good.toString());
        Cli.Run refused = cli().run("context", "import", "--user", "ana", bad.toString());
        Cli.Run missing = cli().run("context", "import", "--user", "ana", data.resolve("nope.json").toString());
        Cli.Run shown = cli().run("context", "show", "--user", "ana");

        assertThat(imported.exit()).isZero();
        assertThat(imported.err()).startsWith("Imported 1 devices for ana.");
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.err()).isEqualTo("chat: " + bad + ": devices[1].entity_id light.a is listed twice; "
                + "nothing was changed\n");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).startsWith("chat: Cannot read " + data.resolve("nope.json"));
        assertThat(shown.out()).isEqualTo("{\"devices\": [{\"entity_id\": \"climate.sala\", \"name\": \"Ar "
                + "condicionado da sala\", \"area\": \"Sala\", \"aliases\": [\"ar da sala\", \"AC\"]}]}\n");
    }

    @Test
    void shouldTakeTheDataDirFromAFlagBeforeTheSubcommand() {
        Path other = data.resolve("other");

        Cli.Run add = cli().run("--data.dir=" + other, "users", "add", "ana");

        assertThat(add.exit()).isZero();
        assertThat(Files.exists(other.resolve("chatstream.db"))).isTrue();
        assertThat(Files.exists(data.resolve("chatstream.db"))).isFalse();
    }
}
