package dev.chatstream.app;

import dev.chatstream.core.ConfigException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppConfigTest {
    @Test
    void shouldDefaultToLoopbackAndALocalOllama() {
        AppConfig c = AppConfig.load(List.of(), Map.of("HOME", "/home/ana"));

        assertThat(c.http().host()).isEqualTo("127.0.0.1");
        assertThat(c.http().port()).isEqualTo(8080);
        assertThat(c.ollama().baseUrl()).isEqualTo(URI.create("http://127.0.0.1:11434"));
        assertThat(c.ollama().model()).isEqualTo("llama3.2");
        assertThat(c.http().heartbeat()).isEqualTo(Duration.ofSeconds(15));
        assertThat(c.dataDir()).isEqualTo(Path.of("/home/ana/.local/share/chatstream"));
        assertThat(c.http().corsOrigins()).isEmpty();
        assertThat(c.redis()).as("one node: nothing shared").isEmpty();
    }

    /** Issue 20: redis.url is read, its password never shown in an error. */
    @Test
    void shouldReadRedisAndNeverQuoteItsPassword() {
        AppConfig c = AppConfig.load(List.of(), Map.of("CHATSTREAM_REDIS_URL", "redis://chat:s3cr3t@redis.lan:6380/2"));

        assertThat(c.redis().orElseThrow().url().toString()).isEqualTo("redis://chat@redis.lan:6380/2");
        assertThat(c.redis().orElseThrow().prefix()).isEqualTo("chatstream");
        assertThatThrownBy(() -> AppConfig.load(List.of("--redis.url=http://chat:s3cr3t@redis.lan"), Map.of()))
                .hasMessage("redis.url must start with redis:// (or rediss:// for TLS), e.g. redis://127.0.0.1:6379/0 "
                        + "(redis.url from flag --redis.url)");
        assertThatThrownBy(() -> AppConfig.load(List.of("--redis.url=redis://h", "--redis.prefix=a b"), Map.of()))
                .hasMessageContaining("redis.prefix");
    }

    /** Issue 21: llm=openai needs the server's URL, says which, and reads its model, key and options. */
    @Test
    void shouldChooseAnOpenAiCompatibleServerAndSayWhatItNeeds() {
        assertThatThrownBy(() -> AppConfig.load(List.of("--llm=openai"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("openai.url is needed with llm=openai: the server's API base, such as "
                        + "http://127.0.0.1:8080/v1 (llama-server)");
        assertThatThrownBy(() -> AppConfig.load(List.of("--llm=vllm"), Map.of()))
                .hasMessage("llm (flag --llm) must be ollama, llamacpp (a GGUF file in-process) or openai (any "
                        + "OpenAI-compatible server), got \"vllm\"");

        AppConfig c = AppConfig.load(List.of("--llm=openai", "--openai.url=http://gpu:8000",
                "--openai.options={\"temperature\": 0.2, \"max_tokens\": 300}"), Map.of("CHATSTREAM_OPENAI_API_KEY",
                "sk-x", "CHATSTREAM_OPENAI_MODEL", "qwen"));

        assertThat(c.openAi()).isPresent();
        assertThat(c.openAi().get().baseUrl()).isEqualTo(URI.create("http://gpu:8000/v1"));
        assertThat(c.openAi().get().model()).isEqualTo("qwen");
        assertThat(c.openAi().get().apiKey()).isEqualTo("sk-x");
        assertThat(c.openAi().get().options()).containsEntry("max_tokens", 300);
        assertThat(c.describeLlm()).isEqualTo("OpenAI-compatible server http://gpu:8000/v1, model qwen");
        assertThatThrownBy(() -> AppConfig.load(List.of("--llm=openai", "--openai.url=http://gpu:8000",
                "--openai.options={\"stream\": false}"), Map.of()))
                .hasMessage("openai.options (flag --openai.options): options must not set \"stream\": chatstream sets it");
    }

    /** Issue 21: llm.backends makes a pool; it cannot be combined with llamacpp. */
    @Test
    void shouldReadABackendPoolAndRefuseItBesideLlamaCpp() {
        AppConfig c = AppConfig.load(List.of(), Map.of("CHATSTREAM_LLM_BACKENDS", "[{\"type\": \"ollama\", "
                + "\"url\": \"http://gpu1:11434\", \"weight\": 2}, {\"type\": \"openai\", \"name\": \"vllm\", "
                + "\"url\": \"http://gpu2:8000/v1\", \"model\": \"qwen\", \"max_concurrent\": 8}]"));

        assertThat(c.backends()).extracting(BackendSpec::name).containsExactly("gpu1:11434", "vllm");
        assertThat(c.backends().get(0).weight()).isEqualTo(2);
        assertThat(c.backends().get(1).maxConcurrent()).isEqualTo(8);
        assertThat(c.describeLlm()).isEqualTo("a pool of 2 backends: gpu1:11434 (Ollama http://gpu1:11434, model "
                + "llama3.2), vllm (OpenAI-compatible http://gpu2:8000/v1, model qwen)");
        assertThatThrownBy(() -> AppConfig.load(List.of("--llm=llamacpp", "--llamacpp.model=/x.gguf"),
                Map.of("CHATSTREAM_LLM_BACKENDS", "[{\"type\": \"ollama\", \"url\": \"http://gpu1:11434\"}]")))
                .hasMessageContaining("is llamacpp, one model in this process: set one or the other");
        assertThatThrownBy(() -> AppConfig.load(List.of(), Map.of("CHATSTREAM_LLM_BACKENDS", "[{\"type\": 1")))
                .hasMessageStartingWith("llm.backends (environment variable CHATSTREAM_LLM_BACKENDS) is not valid JSON");
    }

    /** Issue 26: thinking, keep-alive and model options reach Ollama only when set; bad ones stop the start. */
    @Test
    void shouldReadOllamasThinkKeepAliveAndOptions() {
        AppConfig c = AppConfig.load(List.of("--ollama.think=false", "--ollama.keep.alive=1h30m",
                "--ollama.options={\"num_ctx\": 8192, \"temperature\": 0.2, \"stop\": [\"###\"]}"), Map.of());

        assertThat(c.ollama().think()).isEqualTo("false");
        assertThat(c.ollama().keepAlive()).isEqualTo("1h30m");
        assertThat(c.ollama().options()).isEqualTo(Map.of("num_ctx", 8192, "temperature", 0.2,
                "stop", List.of("###")));
        AppConfig none = AppConfig.load(List.of(), Map.of());
        assertThat(none.ollama().think()).isEmpty();
        assertThat(none.ollama().keepAlive()).isEmpty();
        assertThat(none.ollama().options()).isEmpty();
        assertThatThrownBy(() -> AppConfig.load(List.of("--ollama.think=maybe"), Map.of()))
                .hasMessage("ollama.think (flag --ollama.think) must be empty (the model's default), true, false, low, "
                        + "medium or high, got \"maybe\"");
        assertThatThrownBy(() -> AppConfig.load(List.of("--ollama.keep.alive=forever"), Map.of()))
                .hasMessage("ollama.keep.alive (flag --ollama.keep.alive) must be empty (Ollama's default, 5m), a "
                        + "duration such as 10m or 1h, 0 to unload at once, or -1 to keep the model loaded, got "
                        + "\"forever\"");
        assertThatThrownBy(() -> AppConfig.load(List.of("--ollama.options=num_ctx=8192"), Map.of()))
                .hasMessageStartingWith("ollama.options (flag --ollama.options) must be a JSON object of Ollama model "
                        + "options such as {\"num_ctx\": 8192, \"temperature\": 0.7}");
        assertThatThrownBy(() -> AppConfig.load(List.of("--ollama.options={\"num_ctx\": {\"a\": 1}}"), Map.of()))
                .hasMessageStartingWith("ollama.options (flag --ollama.options) must be a JSON object");
    }

    @Test
    void shouldTakeFlagsOverEnvironmentOverFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("chatstream.properties");
        Files.writeString(file, "port = 7000\nmodel = from-file\nheartbeat.seconds = 5\n");

        AppConfig c = AppConfig.load(List.of("--config=" + file, "--port=9000"),
                Map.of("CHATSTREAM_PORT", "8000", "CHATSTREAM_MODEL", "from-env", "XDG_DATA_HOME", "/data"));

        assertThat(c.http().port()).isEqualTo(9000);
        assertThat(c.ollama().model()).isEqualTo("from-env");
        assertThat(c.http().heartbeat()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.dataDir()).isEqualTo(Path.of("/data/chatstream"));
    }

    @Test
    void shouldNameTheKeyTheSourceAndTheAcceptedValues() {
        assertThatThrownBy(() -> AppConfig.load(List.of(), Map.of("CHATSTREAM_PORT", "80a")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("port (environment variable CHATSTREAM_PORT) must be a whole number from 0 to 65535, "
                        + "got \"80a\"");
        assertThatThrownBy(() -> AppConfig.load(List.of("--ollama.url=localhost:11434"), Map.of()))
                .hasMessage("ollama.url (flag --ollama.url) must be an http:// or https:// URL such as "
                        + "http://127.0.0.1:11434, got \"localhost:11434\"");
        assertThatThrownBy(() -> AppConfig.load(List.of("--heartbeat.seconds=0"), Map.of()))
                .hasMessage("heartbeat.seconds (flag --heartbeat.seconds) must be a whole number from 1 to 300, "
                        + "got \"0\"");
        assertThatThrownBy(() -> AppConfig.load(List.of("--cors.origins=https://a.org/app"), Map.of()))
                .hasMessageStartingWith("cors.origins (flag --cors.origins) must be a comma-separated list of origins");
        assertThat(AppConfig.load(List.of(), Map.of("CHATSTREAM_METRICS_TOKEN", "scrape-0123456789abcdef")).http()
                .toString()).as("a config in a log never shows the scrape token").contains("metricsToken=(hidden)")
                .doesNotContain("scrape-0123456789abcdef");
        assertThatThrownBy(() -> AppConfig.load(List.of(), Map.of("CHATSTREAM_METRICS_TOKEN", "short secret")))
                .hasMessage("metrics.token (environment variable CHATSTREAM_METRICS_TOKEN) must be empty, or a secret "
                        + "of at least 16 printable ASCII characters without spaces (e.g. from: openssl rand -hex 24); "
                        + "the value given is not shown");
        assertThatThrownBy(() -> AppConfig.load(List.of("--prot=1"), Map.of()))
                .hasMessageStartingWith("Unknown flag --prot; known flags: --config, --host, --port,");
        assertThatThrownBy(() -> AppConfig.load(List.of("port=1"), Map.of()))
                .hasMessage("Flags look like --key=value (e.g. --port=8081), got \"port=1\"");
    }

    @Test
    void shouldConfigureHomeAssistantAndExplainWhatIsMissing(@TempDir Path dir) throws Exception {
        AppConfig off = AppConfig.load(List.of(), Map.of());
        assertThat(off.homeAssistant()).isEmpty();
        assertThat(off.http().actionsAuto()).isFalse();
        assertThat(off.http().actionConfirmTimeout()).isEqualTo(Duration.ofSeconds(120));

        Map<String, String> env = Map.of("CHATSTREAM_HOMEASSISTANT_URL", "http://ha.local:8123",
                "CHATSTREAM_HOMEASSISTANT_TOKEN", "tok-123", "CHATSTREAM_ACTIONS_AUTO", "true");
        AppConfig on = AppConfig.load(List.of(), env);
        assertThat(on.homeAssistant()).get().satisfies(h -> {
            assertThat(h.baseUrl()).isEqualTo(URI.create("http://ha.local:8123"));
            assertThat(h.timeout()).isEqualTo(Duration.ofSeconds(10));
            assertThat(h.policy()).isEqualTo(dev.chatstream.homeassistant.ActionPolicy.defaults());
        });
        assertThat(on.http().actionsAuto()).isTrue();
        assertThat(on.toString()).doesNotContain("tok-123");
        assertThat(on.describeHome()).isEqualTo("Home Assistant http://ha.local:8123, actions run by the server");

        assertThatThrownBy(() -> AppConfig.load(List.of("--actions.auto=true"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("actions.auto (flag --actions.auto) is true but homeassistant.url is not set: actions run "
                        + "in Home Assistant, so set its URL and token (see docs/home-assistant.md)");
        assertThatThrownBy(() -> AppConfig.load(List.of("--actions.auto=yes"), Map.of()))
                .hasMessage("actions.auto (flag --actions.auto) must be true or false, got \"yes\"");
        assertThatThrownBy(() -> AppConfig.load(List.of("--homeassistant.url=http://ha:8123"), Map.of()))
                .hasMessage("homeassistant.token is needed with homeassistant.url: create a long-lived access token "
                        + "in Home Assistant (your profile, Security tab) and set it in CHATSTREAM_HOMEASSISTANT_TOKEN "
                        + "(or the configuration file; not as a flag, where other users of the machine see it)");
        assertThatThrownBy(() -> AppConfig.load(List.of("--homeassistant.url=ha:8123"), Map.of()))
                .hasMessage("homeassistant.url (flag --homeassistant.url) must be an http:// or https:// URL such as "
                        + "http://homeassistant.local:8123, got \"ha:8123\"");
        Path policy = dir.resolve("policy.json");
        Files.writeString(policy, "{\"allow\": {\"light\": \"turn_on\"}}");
        assertThatThrownBy(() -> AppConfig.load(List.of("--homeassistant.policy.file=" + policy), env))
                .hasMessage("homeassistant.policy.file: The Home Assistant policy file " + policy.toAbsolutePath()
                        + " is not valid: \"allow.light\" must be a list of strings");
    }

    @Test
    void shouldRejectAnUnknownKeyInTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("c.properties");
        Files.writeString(file, "prot = 1\n");

        assertThatThrownBy(() -> AppConfig.load(List.of("--config=" + file), Map.of()))
                .hasMessageStartingWith("Unknown key 'prot' in " + file + "; known keys: host, port,");
    }

    @Test
    void shouldRefuseToStartWithAnUnreadablePromptFileNamingTheKey(@TempDir Path dir) {
        AppConfig c = AppConfig.load(List.of("--port=0", "--data.dir=" + dir,
                "--system.prompt.file=" + dir.resolve("missing.txt")), Map.of());

        assertThatThrownBy(() -> Server.start(c, System.out))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("system.prompt.file: Cannot read the system prompt file " + dir.resolve("missing.txt"));
    }

    @Test
    void shouldRefuseToStartWithADatabaseFileThatIsNotOne(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("chatstream.db"), "not a database\n".repeat(200));
        // the wait for the store, scaled down from 5 s
        AppConfig c = AppConfig.load(List.of("--port=0", "--data.dir=" + dir, "--store.timeout.millis=250"), Map.of());

        assertThatThrownBy(() -> Server.start(c, System.out))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("Cannot open the store at jdbc:sqlite:" + dir.toAbsolutePath().resolve("chatstream.db"))
                .hasMessageEndingWith("; check that the file is a chatstream database and can be written");
    }

    @Test
    void shouldUseSqliteInTheDataDirByDefaultAndPostgresByUrl() {
        AppConfig sqlite = AppConfig.load(List.of("--data.dir=/srv/chat"), Map.of());
        AppConfig postgres = AppConfig.load(List.of(), Map.of(
                "CHATSTREAM_STORE_URL", "jdbc:postgresql://db.internal/chatstream",
                "CHATSTREAM_STORE_USER", "chat", "CHATSTREAM_STORE_PASSWORD", "s3cret"));

        assertThat(sqlite.store().jdbcUrl()).isEqualTo("jdbc:sqlite:/srv/chat/chatstream.db");
        assertThat(postgres.store().jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal/chatstream");
        assertThat(postgres.store().password()).isEqualTo("s3cret");
        assertThat(postgres.store().toString()).doesNotContain("s3cret");
    }

    @Test
    void shouldRefuseAStoreUrlItCannotUseWithoutEchoingAPassword() {
        assertThatThrownBy(() -> AppConfig.load(List.of("--store.url=mysql://h/db?password=hunter2"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("store.url (flag --store.url) must be a jdbc:sqlite:FILE or jdbc:postgresql://HOST/DATABASE"
                        + " URL, got \"mysql://h/db?password=***\"");
    }

    @Test
    void shouldDocumentEveryKeyWithItsVariableAndDefault() throws Exception {
        String doc = Files.readString(Path.of("../docs/configuration.md"));

        for (dev.chatstream.core.Settings.Key s : AppConfig.KEYS) {
            assertThat(doc).as(s.name()).contains("| `" + s.name() + "` | `" + s.envVar() + "` |");
            if (!s.defaultValue().isEmpty()) {
                assertThat(doc).as(s.name() + " default").contains("| `" + s.name() + "` | `" + s.envVar() + "` | `"
                        + s.defaultValue() + "` |");
            }
        }
        assertThat(doc).contains("CHATSTREAM_HOST", "CHATSTREAM_PORT", "CHATSTREAM_OLLAMA_URL", "CHATSTREAM_MODEL",
                "CHATSTREAM_HEARTBEAT_SECONDS", "CHATSTREAM_DATA_DIR");
    }
}
