package dev.chatstream.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chatstream.core.InvalidRequestException;
import dev.chatstream.core.UserId;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Users and tokens, the same on every database. */
abstract class AccountsBehaviour {
    private static final UserId ANA = UserId.of("ana");
    private static final UserId RUI = UserId.of("rui");

    abstract JdbcStore newStore();

    @Test
    void shouldAuthenticateAnIssuedTokenAsItsUser() {
        JdbcAccounts accounts = newStore().accounts();
        accounts.addUser("ana");
        accounts.addUser("rui");

        JdbcAccounts.IssuedToken anas = accounts.issueToken(ANA, "laptop");
        JdbcAccounts.IssuedToken ruis = accounts.issueToken(RUI, "");

        assertThat(anas.token()).startsWith("cs_").hasSizeGreaterThanOrEqualTo(3 + 43);
        assertThat(accounts.authenticate(anas.token())).contains(ANA);
        assertThat(accounts.authenticate(ruis.token())).contains(RUI);
        assertThat(accounts.authenticate(anas.token() + "x")).isEmpty();
        assertThat(accounts.authenticate("cs_")).isEmpty();
        assertThat(accounts.authenticate("Bearer " + anas.token())).isEmpty();
        assertThat(anas.toString()).doesNotContain(anas.token());
    }

    @Test
    void shouldRejectARevokedTokenAtOnce() {
        JdbcAccounts accounts = newStore().accounts();
        accounts.addUser("ana");
        JdbcAccounts.IssuedToken token = accounts.issueToken(ANA, "old phone");
        JdbcAccounts.IssuedToken other = accounts.issueToken(ANA, "laptop");

        assertThat(accounts.revoke(token.id())).isTrue();

        assertThat(accounts.authenticate(token.token())).isEmpty();
        assertThat(accounts.authenticate(other.token())).contains(ANA);
        assertThat(accounts.revoke(token.id())).as("already revoked").isFalse();
        assertThat(accounts.tokens(Optional.of(ANA))).extracting(t -> t.revokedAt().isPresent())
                .containsExactly(true, false);
    }

    @Test
    void shouldRecordWhenATokenWasLastUsed() {
        JdbcAccounts accounts = newStore().accounts();
        accounts.addUser("ana");
        JdbcAccounts.IssuedToken token = accounts.issueToken(ANA, "laptop");
        assertThat(accounts.tokens(Optional.empty()).getFirst().lastUsedAt()).isEmpty();

        accounts.authenticate(token.token());

        JdbcAccounts.TokenInfo info = awaitLastUsed(accounts);
        assertThat(info.lastUsedAt()).isPresent();
        assertThat(info.label()).isEqualTo("laptop");
        assertThat(info.user()).isEqualTo(ANA);
    }

    @Test
    void shouldRefuseADuplicateUserAndATokenForNobody() {
        JdbcAccounts accounts = newStore().accounts();
        accounts.addUser("ana");

        assertThatThrownBy(() -> accounts.addUser("ana")).isInstanceOf(InvalidRequestException.class)
                .hasMessage("A user named \"ana\" already exists");
        assertThatThrownBy(() -> accounts.issueToken(RUI, "x")).isInstanceOf(InvalidRequestException.class)
                .hasMessage("There is no user named \"rui\"; add the user first");
        assertThatThrownBy(() -> accounts.addUser("  ")).isInstanceOf(InvalidRequestException.class)
                .hasMessage("user id must not be blank");
        assertThat(accounts.users()).extracting(JdbcAccounts.User::id).containsExactly(ANA);
        assertThat(accounts.anyLiveToken()).isFalse();
    }

    @Test
    void shouldListOnlyTheAskedUsersTokens() {
        JdbcAccounts accounts = newStore().accounts();
        accounts.addUser("ana");
        accounts.addUser("rui");
        accounts.issueToken(ANA, "a");
        accounts.issueToken(RUI, "r");

        assertThat(accounts.tokens(Optional.of(RUI))).extracting(JdbcAccounts.TokenInfo::label).containsExactly("r");
        assertThat(accounts.tokens(Optional.empty())).hasSize(2);
        assertThat(accounts.anyLiveToken()).isTrue();
    }

    /** The only token's info once its last use is recorded (by the background writer); fails after 30 s. */
    static JdbcAccounts.TokenInfo awaitLastUsed(JdbcAccounts accounts) {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
        JdbcAccounts.TokenInfo info = accounts.tokens(Optional.empty()).getFirst();
        while (info.lastUsedAt().isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            info = accounts.tokens(Optional.empty()).getFirst();
        }
        return info;
    }
}
