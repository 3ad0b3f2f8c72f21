package dev.chatstream.app;

import dev.chatstream.core.ConfigException;
import dev.chatstream.core.SystemPrompt;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The base system prompt, read once when the wiring asks for it: the file {@code system.prompt.file} names, or the
 * built-in prompt.
 *
 * @param text the prompt
 */
record BasePrompt(String text) {
    BasePrompt {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("the base prompt must not be blank");
        }
    }

    /** @throws ConfigException when the file cannot be read or is empty */
    static BasePrompt of(Optional<Path> file) {
        if (file.isEmpty()) {
            return new BasePrompt(SystemPrompt.defaultPrompt());
        }
        try {
            return new BasePrompt(SystemPrompt.fromFile(file.get()));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("system.prompt.file: " + e.getMessage());
        }
    }
}
