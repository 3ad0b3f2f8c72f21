package dev.chatstream.core;

import java.util.Optional;

/**
 * Per-request choices.
 *
 * @param model           the model to use instead of the configured one; empty for the configured one
 * @param includeThinking whether reasoning from thinking models is sent to the client as
 *                        {@link ChatEvent.Thinking} events (never as text)
 * @param instructions    the client's own system text (an OpenAI or Ollama client's {@code system} messages), added
 *                        to the system message after chatstream's base prompt, never in its place; empty for none
 */
public record ChatOptions(String model, boolean includeThinking, String instructions) {
    private static final ChatOptions DEFAULTS = new ChatOptions("", false, "");

    public ChatOptions {
        Checks.notNull(model, "model");
        Checks.notNull(instructions, "instructions");
        model = model.strip();
        instructions = instructions.strip();
    }

    /** Options without client instructions. */
    public ChatOptions(String model, boolean includeThinking) {
        this(model, includeThinking, "");
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
        return new ChatOptions(newModel, includeThinking, instructions);
    }

    /** A copy that does or does not send thinking to the client. */
    public ChatOptions withIncludeThinking(boolean include) {
        return new ChatOptions(model, include, instructions);
    }

    /** A copy with the client's own system text ({@code ""} for none). */
    public ChatOptions withInstructions(String text) {
        return new ChatOptions(model, includeThinking, text);
    }
}
