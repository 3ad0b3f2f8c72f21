package dev.chatstream.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chatstream.core.ConfigException;
import dev.chatstream.core.Settings;
import dev.chatstream.ollama.OllamaConfig;
import dev.chatstream.openai.OpenAiConfig;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * One backend of {@code llm.backends}: an Ollama or an OpenAI-compatible server with its URL and model, a weight
 * and a cap. Everything else (timeouts, options, thinking, keep-alive) comes from the {@code ollama.*} and
 * {@code openai.*} settings, the same for every backend of a kind.
 *
 * @param name          for people, metrics and {@code /api/ready}
 * @param weight        its share of the traffic, 1 to 1000
 * @param maxConcurrent the most replies at once, 0 for no cap
 * @param ollama        its configuration when it is an Ollama
 * @param openAi        its configuration when it is an OpenAI-compatible server
 */
record BackendSpec(String name, int weight, int maxConcurrent, Optional<OllamaConfig> ollama,
                   Optional<OpenAiConfig> openAi) {

    /** {@code llm.backends}: a JSON array of backends; empty for one backend, chosen by {@code llm}. */
    static final Settings.Key BACKENDS = new Settings.Key("llm.backends", "");

    private static final String SHAPE = "a JSON array of backends such as [{\"type\": \"ollama\", \"url\": "
            + "\"http://gpu1:11434\", \"model\": \"llama3.2\", \"weight\": 2, \"max_concurrent\": 4}, {\"type\": "
            + "\"openai\", \"url\": \"http://gpu2:8000/v1\", \"model\": \"Qwen/Qwen2.5-7B-Instruct\"}] (fields: "
            + "type, url, model, name, weight, max_concurrent, api_key; see docs/backends.md)";

    /** For people: {@code gpu1 (Ollama http://gpu1:11434, model llama3.2)}. */
    String describe() {
        return name + " (" + ollama.map(o -> "Ollama " + o.baseUrl() + ", model " + o.model())
                .orElseGet(() -> "OpenAI-compatible " + openAi.orElseThrow().baseUrl() + ", model "
                        + (openAi.get().model().isEmpty() ? "the first it lists" : openAi.get().model())) + ")";
    }

    /**
     * The backends {@code llm.backends} lists; empty when it is not set. Errors name the backend (by position) and
     * the field, never quoting the setting's text (it may hold an API key).
     *
     * @throws ConfigException when the list cannot be used
     */
    static List<BackendSpec> from(Settings s) {
        String text = s.text(BACKENDS).strip();
        if (text.isEmpty()) {
            return List.of();
        }
        String where = BACKENDS.name() + " (" + s.source(BACKENDS) + ")";
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(text);
        } catch (java.io.IOException e) {
            throw new ConfigException(where + " is not valid JSON (at line " + e.getMessage().replaceAll(
                    "(?s).*line: (\\d+), column: (\\d+).*", "$1, column $2") + "): it must be " + SHAPE);
        }
        if (root == null || !root.isArray() || root.isEmpty()) {
            throw new ConfigException(where + " must be " + SHAPE);
        }
        List<BackendSpec> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        int position = 0;
        for (JsonNode b : root) {
            position++;
            String at = where + ", backend " + position;
            if (!b.isObject()) {
                throw new ConfigException(at + " must be a JSON object: " + SHAPE);
            }
            for (java.util.Iterator<String> it = b.fieldNames(); it.hasNext(); ) {
                String field = it.next();
                if (!List.of("type", "url", "model", "name", "weight", "max_concurrent", "api_key").contains(field)) {
                    throw new ConfigException(at + " has an unknown field \"" + field + "\" (fields: type, url, model, "
                            + "name, weight, max_concurrent, api_key)");
                }
            }
            String type = b.path("type").asText("").toLowerCase(Locale.ROOT);
            if (!type.equals("ollama") && !type.equals("openai")) {
                throw new ConfigException(at + ": \"type\" must be \"ollama\" or \"openai\"");
            }
            URI url = url(b.path("url").asText(""), at);
            int weight = whole(b, "weight", 1, 1, 1000, at);
            int cap = whole(b, "max_concurrent", 0, 0, 100_000, at);
            String model = b.path("model").asText("").strip();
            String name = b.path("name").asText("").strip();
            if (name.isEmpty()) {
                name = url.getHost() + (url.getPort() >= 0 ? ":" + url.getPort() : "");
            }
            if (!name.matches("[A-Za-z0-9_.:-]{1,64}")) {
                throw new ConfigException(at + ": \"name\" must be 1 to 64 letters, digits or _ . : -");
            }
            if (!names.add(name)) {
                throw new ConfigException(at + " is named " + name + " like another: give each a \"name\"");
            }
            try {
                if (type.equals("ollama")) {
                    if (b.has("api_key")) {
                        throw new ConfigException(at + ": \"api_key\" is for OpenAI-compatible servers; Ollama has none");
                    }
                    OllamaConfig c = OllamaConfig.from(s).withBaseUrl(url);
                    out.add(new BackendSpec(name, weight, cap, Optional.of(model.isEmpty() ? c : c.withModel(model)),
                            Optional.empty()));
                } else {
                    OpenAiConfig c = OpenAiConfig.from(s, url);
                    if (!model.isEmpty()) {
                        c = c.withModel(model);
                    }
                    if (b.has("api_key")) {
                        c = c.withApiKey(b.path("api_key").asText(""));
                    }
                    out.add(new BackendSpec(name, weight, cap, Optional.empty(), Optional.of(c)));
                }
            } catch (IllegalArgumentException e) {
                throw new ConfigException(at + ": " + (e.getMessage().contains("key") ? "\"api_key\" must be "
                        + "printable ASCII without spaces" : e.getMessage()));
            }
        }
        return List.copyOf(out);
    }

    private static URI url(String text, String at) {
        try {
            URI u = new URI(text);
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && u.getHost() != null) {
                return u;
            }
        } catch (java.net.URISyntaxException e) {
            // said below
        }
        throw new ConfigException(at + ": \"url\" must be an http:// or https:// URL such as http://gpu1:11434");
    }

    private static int whole(JsonNode b, String field, int missing, int min, int max, String at) {
        if (!b.has(field)) {
            return missing;
        }
        JsonNode v = b.get(field);
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < min || v.asInt() > max) {
            throw new ConfigException(at + ": \"" + field + "\" must be a whole number from " + min + " to " + max);
        }
        return v.asInt();
    }
}
