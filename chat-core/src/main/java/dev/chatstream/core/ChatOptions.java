package dev.chatstream.core;

import java.util.Map;
import java.util.Optional;

/**
 * Per-request choices.
 *
 * @param model           the model to use instead of the configured one; empty for the configured one
 * @param includeThinking whether reasoning from thinking models is sent to the client as
 *                        {@link ChatEvent.Thinking} events (never as text)
 * @param instructions    the client's own system text (an OpenAI or Ollama client's {@code system} messages), added
 *                        to the system message after chatstream's base prompt, never in its place; empty for none
 * @param passthrough     request fields a front door's client set for the backend, by name, as JSON values (maps,
 *                        lists, strings, numbers, booleans): Ollama's {@code keep_alive}, {@code options},
 *                        {@code think}, {@code format} and {@code tools}, which the Ollama adapter sends over its own
 *                        ({@code options} merged key by key); other adapters ignore them. Empty for none
 */
public record ChatOptions(String model, boolean includeThinking, String instructions, Map<String, Object> passthrough) {
    private static final ChatOptions DEFAULTS = new ChatOptions("", false, "", Map.of());

    public ChatOptions {
        Checks.notNull(model, "model");
        Checks.notNull(instructions, "instructions");
        Checks.notNull(passthrough, "passthrough");
        model = model.strip();
        instructions = instructions.strip();
        passthrough = Map.copyOf(passthrough);
    }

    /** Options without client instructions or passed-through fields. */
    public ChatOptions(String model, boolean includeThinking) {
        this(model, includeThinking, "", Map.of());
    }

    /** The configured model, no thinking sent to the client. */
    public static ChatOptions defaults() {
        return DEFAULTS;
    }

    /** The model this request asks for, when it overrides the configured one. */
    public Optional<String> modelOverride() {
        return model.isEmpty() ? Optional.empty() : Optional.of(model);
    }

    /** A copy using {@code newModel} (empty for the configured one). */
    public ChatOptions withModel(String newModel) {
        return new ChatOptions(newModel, includeThinking, instructions, passthrough);
    }

    /** A copy that does or does not send thinking to the client. */
    public ChatOptions withIncludeThinking(boolean include) {
        return new ChatOptions(model, include, instructions, passthrough);
    }

    /** A copy with the client's own system text ({@code ""} for none). */
    public ChatOptions withInstructions(String text) {
        return new ChatOptions(model, includeThinking, text, passthrough);
    }

    /** A copy with these fields for the backend ({@link #passthrough}). */
    public ChatOptions withPassthrough(Map<String, Object> fields) {
        return new ChatOptions(model, includeThinking, instructions, fields);
    }
}
