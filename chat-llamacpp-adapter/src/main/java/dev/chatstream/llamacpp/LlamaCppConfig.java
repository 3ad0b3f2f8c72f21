package dev.chatstream.llamacpp;

import java.nio.file.Path;

/**
 * How to run a GGUF model in-process.
 *
 * @param model       the GGUF file
 * @param parallel    replies generated at once (llama.cpp slots); more requests wait their turn
 * @param contextSize tokens of context for all slots together (each slot gets contextSize / parallel)
 * @param maxTokens   the longest reply, in tokens
 * @param temperature sampling temperature; 0 picks the likeliest token every time (reproducible)
 */
public record LlamaCppConfig(Path model, int parallel, int contextSize, int maxTokens, float temperature) {
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

    /** {@code model} with 2 parallel replies, 4096 tokens of context, replies up to 512 tokens, temperature 0.7. */
    public static LlamaCppConfig defaults(Path model) {
        return new LlamaCppConfig(model, 2, 4096, 512, 0.7f);
    }

    /** A copy with another temperature. */
    public LlamaCppConfig withTemperature(float value) {
        return new LlamaCppConfig(model, parallel, contextSize, maxTokens, value);
    }

    /** A copy with other limits. */
    public LlamaCppConfig withLimits(int newParallel, int newContextSize, int newMaxTokens) {
        return new LlamaCppConfig(model, newParallel, newContextSize, newMaxTokens, temperature);
    }
}
