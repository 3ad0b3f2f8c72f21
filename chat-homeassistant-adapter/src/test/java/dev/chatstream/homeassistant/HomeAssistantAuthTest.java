package dev.chatstream.homeassistant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 26: every 401 is a failed login for Home Assistant (a notification, and with login_attempts_threshold an
 * IP ban), so chatstream must never retry one in a loop. Against the fake, which bans as http/ban.py does.
 */
class HomeAssistantAuthTest {
    private final FakeHomeAssistant ha = FakeHomeAssistant.start("admin-token").userToken("user-token").banAfter(3)
            .entity("light.sala", "Luz da sala", "Sala", "off");
    private final AtomicLong nanos = new AtomicLong();

    @AfterEach
    void stop() {
        ha.close();
    }

    private HomeAssistantClient client(String token) {
        return new HomeAssistantClient(HomeAssistantConfig.of(ha.baseUrl(), token), nanos::get);
    }

    @Test
    void shouldStopCallingAfterARefusedTokenAndBackOffLongerEachTime() {
        HomeAssistantClient revoked = client("revoked-token");
        EntityDirectory directory = new EntityDirectory(revoked, ActionPolicy.defaults(), Duration.ofMinutes(10),
                nanos::get);

        for (int i = 0; i < 20; i++) { // readiness probes, prompts and actions, as a busy server makes them
            assertThatThrownBy(revoked::ping).isInstanceOf(HomeAssistantException.class);
            assertThatThrownBy(directory::entities).isInstanceOf(HomeAssistantException.class);
            nanos.addAndGet(EntityDirectory.RETRY.toNanos() / 4);
        }

        assertThat(ha.failedLogins()).as("one failed login, not one per call").isEqualTo(1);
        assertThat(ha.banned()).isFalse();
        assertThatThrownBy(revoked::ping).hasMessage("Home Assistant refused chatstream's access token (HTTP 401) "
                + "when asked to check the connection: create a long-lived access token in Home Assistant (your "
                + "profile, Security tab) and set homeassistant.token. chatstream makes no call to Home Assistant for "
                + "the next 5 min (each refused call counts there as a failed login), or until it restarts");

        nanos.addAndGet(HomeAssistantClient.FIRST_BACKOFF.toNanos());
        assertThatThrownBy(revoked::ping).hasMessageContaining("for the next 10 min");
        assertThat(ha.failedLogins()).isEqualTo(2);
        nanos.addAndGet(HomeAssistantClient.FIRST_BACKOFF.toNanos());
        assertThatThrownBy(revoked::ping).hasMessageContaining("for the next 10 min");
        assertThat(ha.failedLogins()).as("still within the 10 min").isEqualTo(2);
        assertThat(ha.banned()).isFalse();
    }

    @Test
    void shouldAskForTemplatesOnceWhenTheTokenIsNotAnAdministrators() {
        HomeAssistantClient user = client("user-token");
        EntityDirectory directory = new EntityDirectory(user, ActionPolicy.defaults(), Duration.ofMinutes(10),
                nanos::get);

        for (int i = 0; i < 4; i++) {
            assertThat(directory.entities()).containsKey("light.sala");
            assertThat(directory.entities().get("light.sala").area()).as("areas need an administrator").isEmpty();
            nanos.addAndGet(Duration.ofMinutes(10).toNanos());
        }

        assertThat(ha.stateReads()).isEqualTo(4);
        assertThat(ha.failedLogins()).isEqualTo(1);
        assertThatThrownBy(user::registry).hasMessage("Home Assistant answered 401 when asked to read the areas: only an "
                + "administrator's token may render templates, and chatstream's token is not one; areas come from the "
                + "stored home context (chatstream does not ask again: each refusal counts as a failed login in Home "
                + "Assistant)");
        user.ping();
        assertThat(ha.failedLogins()).as("the token itself is fine").isEqualTo(1);
    }

    @Test
    void shouldSayHowToLiftABanAndNotKnockAgain() {
        HomeAssistantClient other = client("wrong-token");
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(other::ping).isInstanceOf(HomeAssistantException.class);
            nanos.addAndGet(HomeAssistantClient.MAX_BACKOFF.toNanos()); // another client, each time past its pause
        }
        assertThat(ha.banned()).isTrue();
        HomeAssistantClient good = client("admin-token");

        assertThatThrownBy(good::ping).hasMessage("Home Assistant refused chatstream (HTTP 403) when asked to check the "
                + "connection: Home Assistant bans an address after failed logins (http: login_attempts_threshold); if "
                + "this server's address is in ip_bans.yaml in Home Assistant's configuration directory, remove it and "
                + "restart Home Assistant, and check homeassistant.token. chatstream makes no call to Home Assistant "
                + "for the next 5 min (each refused call counts there as a failed login), or until it restarts");
        assertThatThrownBy(good::states).hasMessageContaining("HTTP 403");
    }
}
