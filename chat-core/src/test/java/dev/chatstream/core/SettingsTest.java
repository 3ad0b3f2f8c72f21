package dev.chatstream.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Defaults under a file under the environment under flags, and errors that say which one was wrong. */
class SettingsTest {
    private static final Settings.Key PORT = new Settings.Key("port", "8080");
    private static final Settings.Key URL = new Settings.Key("ollama.url", "http://127.0.0.1:11434");
    private static final List<Settings.Key> KEYS = List.of(PORT, URL);

    @Test
    void shouldLetFlagsBeatTheEnvironmentBeatTheFileBeatTheDefaults(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("chat.properties");
        Files.writeString(file, "port = 9000\nollama.url = http://gpu:11434\n");

        Settings fromFile = Settings.load(KEYS, List.of("--config=" + file), Map.of());
        Settings fromEnv = Settings.load(KEYS, List.of("--config=" + file), Map.of("CHATSTREAM_PORT", "9001"));
        Settings fromFlag = Settings.load(KEYS, List.of("--config=" + file, "--port=9002"),
                Map.of("CHATSTREAM_PORT", "9001"));

        assertThat(Settings.load(KEYS, List.of(), Map.of()).integer(PORT, 0, 65_535)).isEqualTo(8080);
        assertThat(fromFile.integer(PORT, 0, 65_535)).isEqualTo(9000);
        assertThat(fromFile.source(PORT)).isEqualTo("key port in " + file);
        assertThat(fromEnv.integer(PORT, 0, 65_535)).isEqualTo(9001);
        assertThat(fromEnv.source(PORT)).isEqualTo("environment variable CHATSTREAM_PORT");
        assertThat(fromFlag.integer(PORT, 0, 65_535)).isEqualTo(9002);
        assertThat(fromFlag.url(URL, "http://h:1")).hasToString("http://gpu:11434");
    }

    @Test
    void shouldNameTheKeyItsSourceAndWhatIsAccepted() {
        Settings s = Settings.load(KEYS, List.of("--ollama.url=localhost:11434"), Map.of("CHATSTREAM_PORT", "80a"));

        assertThatThrownBy(() -> s.integer(PORT, 0, 65_535)).isInstanceOf(ConfigException.class)
                .hasMessage("port (environment variable CHATSTREAM_PORT) must be a whole number from 0 to 65535, got \"80a\"");
        assertThatThrownBy(() -> s.url(URL, "http://127.0.0.1:11434")).isInstanceOf(ConfigException.class)
                .hasMessage("ollama.url (flag --ollama.url) must be an http:// or https:// URL such as "
                        + "http://127.0.0.1:11434, got \"localhost:11434\"");
    }

    @Test
    void shouldRefuseWhatNoPartDeclared(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("chat.properties");
        Files.writeString(file, "prot = 1\n");

        assertThatThrownBy(() -> Settings.load(KEYS, List.of("--prot=1"), Map.of()))
                .hasMessage("Unknown flag --prot; known flags: --config, --port, --ollama.url");
        assertThatThrownBy(() -> Settings.load(KEYS, List.of("port=1"), Map.of()))
                .hasMessage("Flags look like --key=value (e.g. --port=8081), got \"port=1\"");
        assertThatThrownBy(() -> Settings.load(KEYS, List.of("--config=" + file), Map.of()))
                .hasMessage("Unknown key 'prot' in " + file + "; known keys: port, ollama.url");
        assertThatThrownBy(() -> Settings.all(List.of(KEYS, List.of(new Settings.Key("port", "1")))))
                .hasMessage("the setting port is declared twice");
    }
}
