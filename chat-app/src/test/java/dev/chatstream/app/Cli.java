package dev.chatstream.app;

import dev.chatstream.cli.Chat;
import dev.chatstream.cli.Io;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Runs {@code chat} in this JVM through picocli with captured streams, a data dir and an Ollama URL of its own. */
final class Cli {
    private final Map<String, String> env = new HashMap<>();

    Cli(Path dataDir, String ollamaUrl) {
        env.put("CHATSTREAM_DATA_DIR", dataDir.toString());
        env.put("CHATSTREAM_OLLAMA_URL", ollamaUrl);
    }

    Cli env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** What one run printed and returned. */
    record Run(int exit, String out, String err) {
    }

    Run run(String... args) {
        return runWithInput(null, args);
    }

    /** Runs with {@code input} on a non-terminal standard input (null: an empty one). */
    Run runWithInput(String input, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Io io = new Io(new ByteArrayInputStream((input == null ? "" : input).getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.copyOf(env), false, false);
        int exit = Chat.run(io, new CliWiring(), args);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
