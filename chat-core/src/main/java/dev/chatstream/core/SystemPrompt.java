package dev.chatstream.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The base system prompt: chatstream's default, or one from a file. The default tells the model who it is,
 * to answer in the user's language, and exactly how to request an action (one final
 * {@code ACTION: {"tool": ..., "args": {...}}} line) with the tools it may use.
 */
public final class SystemPrompt {
    private static final String RESOURCE = "default-system-prompt.txt";
    private static final String DEFAULT = loadDefault();

    private SystemPrompt() {
    }

    /** The prompt that ships with chatstream. */
    public static String defaultPrompt() {
        return DEFAULT;
    }

    /**
     * Reads a prompt from a UTF-8 file.
     *
     * @throws IllegalArgumentException naming the file when it cannot be read or is blank
     */
    public static String fromFile(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read the system prompt file " + file.toAbsolutePath()
                    + " (" + e.getClass().getSimpleName() + "): check the path and its permissions", e);
        }
        if (text.isBlank()) {
            throw new IllegalArgumentException("The system prompt file " + file.toAbsolutePath()
                    + " is empty: write the prompt into it, or remove the setting to use the default");
        }
        return text.strip();
    }

    private static String loadDefault() {
        try (InputStream in = SystemPrompt.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("chat-core is missing its resource " + RESOURCE);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
