package dev.chatstream.core;

import java.util.Optional;

/**
 * Per-request choices.
 *
 * @param model           the model to use instead of the configured one; empty for the configured one
 * @param includeThinking whether reasoning from thinking models is sent to the client as
 *                        {@link ChatEvent.Thinking} events (never as text)
 */
public record ChatOptions(String model, boolean includeThinking) {
    private static final ChatOptions DEFAULTS = new ChatOptions("", false);

    public ChatOptions {
        Checks.notNull(model, "model");
        model = model.strip();
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
        return new ChatOptions(newModel, includeThinking);
    }

    /** A copy that does or does not send thinking to the client. */
    public ChatOptions withIncludeThinking(boolean include) {
        return new ChatOptions(model, include);
    }
}
