package dev.chatstream.homeassistant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ActionPolicyTest {
    @TempDir
    Path dir;

    @Test
    void shouldShipAConservativeDefault() {
        ActionPolicy p = ActionPolicy.defaults();

        assertThat(p.exposes("light.sala")).isTrue();
        assertThat(p.exposes("lock.porta")).isTrue();
        assertThat(p.exposes("alarm_control_panel.casa")).isFalse();
        assertThat(p.exposes("sensor.temperatura")).isFalse();
        assertThat(p.allowed("anyone", "light")).containsExactly("turn_on", "turn_off", "toggle");
        assertThat(p.allowed("anyone", "homeassistant")).isEmpty();
        assertThat(p.needsConfirmation("lock")).isTrue();
        assertThat(p.needsConfirmation("cover")).isTrue();
        assertThat(p.needsConfirmation("alarm_control_panel")).isTrue();
        // issue 22, finding 3: a switch can drive a siren, a heater or a garage relay, and a scene can unlock doors
        // and open covers, which would get around the lock and cover confirmations
        assertThat(p.needsConfirmation("switch")).isTrue();
        assertThat(p.needsConfirmation("scene")).isTrue();
        assertThat(p.needsConfirmation("light")).isFalse();
    }

    @Test
    void shouldMatchExposePatternsAsGlobs() {
        ActionPolicy p = parse("{\"expose\": [\"light.sala_*\", \"lock.porta\"]}");

        assertThat(p.exposes("light.sala_teto")).isTrue();
        assertThat(p.exposes("light.cozinha")).isFalse();
        assertThat(p.exposes("lock.porta")).isTrue();
        assertThat(p.exposes("lock.portao")).isFalse();
    }

    @Test
    void shouldGiveAListedUserExactlyTheirOwnList() {
        ActionPolicy p = parse("{\"allow\": {\"light\": [\"turn_on\"], \"lock\": [\"unlock\"]},"
                + " \"users\": {\"kid\": {\"light\": [\"turn_on\", \"turn_off\"]}}}");

        assertThat(p.allowed("kid", "light")).containsExactly("turn_on", "turn_off");
        assertThat(p.allowed("kid", "lock")).isEmpty();
        assertThat(p.allowed("ana", "lock")).containsExactly("unlock");
    }

    @Test
    void shouldSayWhatIsWrongInAPolicyFile() throws Exception {
        assertBad("{\"alow\": {}}", "unknown key \"alow\"; the keys are expose, allow, users and confirm");
        assertBad("[]", "it must be a JSON object with \"expose\", \"allow\", \"users\" and \"confirm\"");
        assertBad("{\"allow\": {\"light\": \"turn_on\"}}", "\"allow.light\" must be a list of strings");
        assertBad("{\"allow\": {\"Light\": []}}",
                "\"allow\" has the domain \"Light\"; domains are lower-case names such as light");
        assertBad("{\"confirm\": [\"lock.porta\"]}",
                "\"confirm\" has \"lock.porta\"; write lower-case names such as turn_on");
        assertBad("{\"expose\": [\"*\"]}",
                "\"expose\" has \"*\"; write entity ids or patterns such as \"light.*\" or \"lock.porta\"");
        assertBad("{\"users\": {\"kid\": {\"light\": [1]}}}",
                "\"users.kid.light\" has 1; write lower-case names such as turn_on");

        Path file = dir.resolve("policy.json");
        Files.writeString(file, "{not json");
        assertThatThrownBy(() -> ActionPolicy.fromFile(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("The Home Assistant policy file " + file.toAbsolutePath()
                        + " is not valid: it is not JSON (");
        assertThatThrownBy(() -> ActionPolicy.fromFile(dir.resolve("missing.json")))
                .hasMessage("Cannot read the Home Assistant policy file " + dir.resolve("missing.json")
                        + " (NoSuchFileException): check the path and its permissions");
    }

    @Test
    void shouldNeverShowTheTokenInTheConfig() {
        HomeAssistantConfig c = HomeAssistantConfig.of(java.net.URI.create("http://ha:8123"), "secret-token-123");

        assertThat(c.toString()).doesNotContain("secret-token-123").contains("token=(hidden)");
    }

    private static void assertBad(String json, String message) {
        assertThatThrownBy(() -> parse(json)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    private static ActionPolicy parse(String json) {
        return ActionPolicy.parse(json.getBytes(StandardCharsets.UTF_8));
    }
}
