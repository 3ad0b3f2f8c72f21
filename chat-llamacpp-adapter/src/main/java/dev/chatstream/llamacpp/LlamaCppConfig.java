package dev.chatstream.llamacpp;

import dev.chatstream.core.Settings;
import java.nio.file.Path;
import java.util.List;

/**
 * How to run a GGUF model in-process.
 *
 * @param model       the GGUF file
 * @param parallel    replies generated at once (llama.cpp slots); more requests wait their turn
 * @param contextSize tokens of context for all slots together (each slot gets contextSize / parallel)
 * @param maxTokens   the longest reply, in tokens
 * @param log         whether llama.cpp's own log (about 140 lines per model load) goes to standard error
 * @param temperature sampling temperature; 0 picks the likeliest token every time (reproducible)
 */
public record LlamaCppConfig(Path model, int parallel, int contextSize, int maxTokens, float temperature,
        boolean log) {
    public LlamaCppConfig {
        if (model == null) {
            throw new IllegalArgumentException("model must be a GGUF file path");
        }
        if (parallel < 1 || parallel > 64) {
            throw new IllegalArgumentException("parallel must be 1 to 64, got " + parallel);
        }
        if (contextSize < 256 || contextSize % parallel != 0) {
            throw new IllegalArgumentException("contextSize must be at least 256 and a multiple of parallel ("
                    + parallel + "), got " + contextSize);
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be positive, got " + maxTokens);
        }
        if (temperature < 0 || temperature > 5) {
            throw new IllegalArgumentException("temperature must be 0 to 5, got " + temperature);
        }
    }

    /** {@code llamacpp.model}: the GGUF model file. */
    public static final Settings.Key MODEL = new Settings.Key("llamacpp.model", "");
    /** {@code llamacpp.parallel}: replies generated at once. */
    public static final Settings.Key PARALLEL = new Settings.Key("llamacpp.parallel", "2");
    /** {@code llamacpp.context}: tokens of context, shared by the parallel slots. */
    public static final Settings.Key CONTEXT = new Settings.Key("llamacpp.context", "4096");
    /** {@code llamacpp.max.tokens}: the longest reply. */
    public static final Settings.Key MAX_TOKENS = new Settings.Key("llamacpp.max.tokens", "512");
    /** The settings this adapter reads. */
    /** {@code llamacpp.log}: llama.cpp's own log on standard error (off: it buried {@code chat}'s output). */
    public static final Settings.Key LOG = new Settings.Key("llamacpp.log", "false");
    public static final List<Settings.Key> KEYS = List.of(MODEL, PARALLEL, CONTEXT, MAX_TOKENS, LOG);

    /**
     * The model and limits {@code settings} set, for a composition that chose llama.cpp.
     *
     * @throws dev.chatstream.core.ConfigException naming the key, its source and the accepted values when one is wrong
     */
    public static LlamaCppConfig from(Settings settings) {
        String model = settings.text(MODEL);
        if (model.isBlank()) {
            throw settings.bad(MODEL, "the path of a GGUF model file when llm is llamacpp");
        }
        int parallel = settings.integer(PARALLEL, 1, 64);
        int context = settings.integer(CONTEXT, 256, 1 << 20);
        if (context % parallel != 0) {
            throw settings.bad(CONTEXT, "a multiple of llamacpp.parallel (" + parallel + ")");
        }
        LlamaCppConfig limited = defaults(Path.of(model)).withLimits(parallel, context,
                settings.integer(MAX_TOKENS, 1, 1 << 20));
        return settings.bool(LOG) ? limited.withLog(true) : limited;
    }

    /** {@code model} with 2 parallel replies, 4096 tokens of context, replies up to 512 tokens, temperature 0.7. */
    public static LlamaCppConfig defaults(Path model) {
        return new LlamaCppConfig(model, 2, 4096, 512, 0.7f, false);
    }

    /** A copy with another temperature. */
    public LlamaCppConfig withTemperature(float value) {
        return new LlamaCppConfig(model, parallel, contextSize, maxTokens, value, log);
    }

    /** A copy with other limits. */
    public LlamaCppConfig withLimits(int newParallel, int newContextSize, int newMaxTokens) {
        return new LlamaCppConfig(model, newParallel, newContextSize, newMaxTokens, temperature, log);
    }

    /** A copy with llama.cpp's own log on or off. */
    public LlamaCppConfig withLog(boolean on) {
        return new LlamaCppConfig(model, parallel, contextSize, maxTokens, temperature, on);
    }
}
