package dev.chatstream.homeassistant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
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
        assertThat(p.needsConfirmation("lock", "lock.porta")).isTrue();
        assertThat(p.needsConfirmation("cover", "cover.garagem")).isTrue();
        assertThat(p.needsConfirmation("alarm_control_panel", "alarm_control_panel.casa")).isTrue();
        // issue 22, finding 3: a switch can drive a siren, a heater or a garage relay, and a scene can unlock doors
        // and open covers, which would get around the lock and cover confirmations
        assertThat(p.needsConfirmation("switch", "switch.sirene")).isTrue();
        assertThat(p.needsConfirmation("scene", "scene.sair")).isTrue();
        assertThat(p.needsConfirmation("light", "light.sala")).isFalse();
        // high-impact domains only for the users the policy names, and nobody is named by default
        assertThat(p.withholds("ana", "lock")).isTrue();
        assertThat(p.withholds("ana", "cover")).isTrue();
        assertThat(p.withholds("ana", "alarm_control_panel")).isTrue();
        assertThat(p.withholds("ana", "switch")).isFalse();
        // arguments are an allow-list with bounds: no 90 degree heating, no speaker at full blast
        assertThat(p.argumentProblem("climate", "set_temperature", Map.of("temperature", 22L))).isEmpty();
        assertThat(p.argumentProblem("climate", "set_temperature", Map.of("temperature", 90L))).contains(
                "climate.set_temperature: \"temperature\" must be from 7 to 30; got 90");
        assertThat(p.argumentProblem("media_player", "volume_set", Map.of("volume_level", 1.0))).contains(
                "media_player.volume_set: \"volume_level\" must be from 0 to 0.7; got 1.0");
        assertThat(p.argumentProblem("light", "turn_on", Map.of("brightness_pct", 100L))).isEmpty();
        assertThat(p.argumentProblem("light", "turn_on", Map.of("flash", "long"))).contains(
                "light.turn_on may not carry \"flash\" (it may carry brightness_pct, brightness, color_temp_kelvin, "
                + "transition); an administrator can change this in the Home Assistant policy's \"args\"");
        assertThat(p.argumentProblem("lock", "unlock", Map.of("code", "1234"))).contains(
                "lock.unlock may not carry \"code\" (it takes no arguments here); an administrator can change "
                + "this in the Home Assistant policy's \"args\"");
    }

    @Test
    void shouldCheckEachKindOfArgumentRule() {
        ActionPolicy p = parse("""
                {"args": {"climate.set_hvac_mode": {"hvac_mode": {"one_of": ["heat", "off"]}},
                          "media_player.volume_mute": {"is_volume_muted": {"boolean": true}},
                          "fan.set_percentage": {"percentage": {"min": 10, "max": 90}}}}""");

        assertThat(p.argumentProblem("climate", "set_hvac_mode", Map.of("hvac_mode", "heat"))).isEmpty();
        assertThat(p.argumentProblem("climate", "set_hvac_mode", Map.of("hvac_mode", "cool"))).contains(
                "climate.set_hvac_mode: \"hvac_mode\" must be one of heat, off; got cool");
        assertThat(p.argumentProblem("media_player", "volume_mute", Map.of("is_volume_muted", true))).isEmpty();
        assertThat(p.argumentProblem("media_player", "volume_mute", Map.of("is_volume_muted", "yes"))).contains(
                "media_player.volume_mute: \"is_volume_muted\" must be true or false; got yes");
        assertThat(p.argumentProblem("fan", "set_percentage", Map.of("percentage", 10L))).isEmpty();
        assertThat(p.argumentProblem("fan", "set_percentage", Map.of("percentage", 90.0))).isEmpty();
        assertThat(p.argumentProblem("fan", "set_percentage", Map.of("percentage", 9.5))).contains(
                "fan.set_percentage: \"percentage\" must be from 10 to 90; got 9.5");
        assertThat(p.argumentProblem("fan", "set_percentage", Map.of("percentage", "50"))).contains(
                "fan.set_percentage: \"percentage\" must be a number from 10 to 90; got 50");
        assertThat(p.argumentProblem("fan", "turn_on", Map.of())).isEmpty();
    }

    @Test
    void shouldLetTheNamedUsersAskForHighImpactActionsAndNamedSwitchesRunAtOnce() {
        ActionPolicy p = parse("""
                {"confirm": ["switch"], "no_confirm": ["switch.abajur_*"], "high_impact_users": ["ana"]}""");

        assertThat(p.withholds("ana", "lock")).isFalse();
        assertThat(p.withholds("rui", "lock")).as("a file without high_impact keeps the default's").isTrue();
        assertThat(p.needsConfirmation("lock", "lock.porta")).as("named users still confirm").isTrue();
        assertThat(p.needsConfirmation("switch", "switch.abajur_sala")).isFalse();
        assertThat(p.needsConfirmation("switch", "switch.sirene")).isTrue();
        assertThat(parse("{\"high_impact\": [], \"no_confirm\": [\"lock.*\"]}").needsConfirmation("lock",
                "lock.porta")).as("no_confirm never reaches a high-impact domain unless it is emptied").isFalse();
        assertThat(parse("{\"no_confirm\": [\"lock.*\"]}").needsConfirmation("lock", "lock.porta")).isTrue();
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
        assertBad("{\"alow\": {}}", "unknown key \"alow\"; the keys are expose, allow, users, args, confirm, "
                + "no_confirm, high_impact, high_impact_users");
        assertBad("[]", "it must be a JSON object with \"expose\", \"allow\", \"users\", \"args\", \"confirm\", "
                + "\"no_confirm\", \"high_impact\" and \"high_impact_users\"");
        assertBad("{\"args\": {\"set_temperature\": {}}}",
                "\"args\" has \"set_temperature\"; write services such as \"climate.set_temperature\"");
        assertBad("{\"args\": {\"climate.set_temperature\": {\"temperature\": {\"min\": 30, \"max\": 7}}}}",
                "\"args.climate.set_temperature.temperature\": min 30.0 is above max 7.0");
        assertBad("{\"args\": {\"climate.set_temperature\": {\"temperature\": {\"max\": 30}}}}",
                "\"args.climate.set_temperature.temperature\" must be {\"min\": <number>, \"max\": <number>}, "
                + "{\"one_of\": [<strings>]} or {\"boolean\": true}");
        assertBad("{\"no_confirm\": [\"abajur\"]}",
                "\"no_confirm\" has \"abajur\"; write entity ids or patterns such as \"light.*\" or \"lock.porta\"");
        assertBad("{\"high_impact\": [\"Lock\"]}",
                "\"high_impact\" has \"Lock\"; write lower-case names such as turn_on");
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
