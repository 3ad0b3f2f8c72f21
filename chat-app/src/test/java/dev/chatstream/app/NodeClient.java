package dev.chatstream.app;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one of {@code src/test/js}'s scripts with the machine's {@code node}: the ecosystem's client libraries,
 * unchanged (installed from the pinned {@code package-lock.json} by the build before the ITs), against the real server.
 * A script prints one JSON line: what the library gave the application.
 */
final class NodeClient {
    static final Path DIR = Path.of("src/test/js").toAbsolutePath();

    private NodeClient() {
    }

    /**
     * {@code node <script> <scenario>} with {@code CHATSTREAM_URL} (the server's base URL), {@code CHATSTREAM_TOKEN}
     * and {@code env}; its JSON line. Fails the test with the script's output when it exits other than 0 or 1 (1: the
     * library threw, which the line describes) or runs past 60 s.
     */
    static JsonNode run(ServerFixture f, String token, String script, String scenario, Map<String, String> env) {
        if (!Files.isDirectory(DIR.resolve("node_modules"))) {
            throw new IllegalStateException(DIR + "/node_modules is missing: the build installs it before the ITs "
                    + "(npm ci, chat-app's pom); run ./mvnw verify, or npm ci in " + DIR);
        }
        try {
            Path out = Files.createTempFile("node-out", ".txt");
            Path err = Files.createTempFile("node-err", ".txt");
            ProcessBuilder pb = new ProcessBuilder("node", script, scenario).directory(DIR.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            // nothing of the developer's own set-up may reach the libraries
            pb.environment().keySet().removeIf(k -> k.startsWith("OLLAMA_") || k.startsWith("OPENAI_"));
            pb.environment().put("CHATSTREAM_URL", f.server.baseUri().toString());
            pb.environment().put("CHATSTREAM_TOKEN", token);
            pb.environment().putAll(env);
            Process p = pb.start();
            try {
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    throw new AssertionError("node " + script + " " + scenario + " ran past 60 s; stderr: "
                            + Files.readString(err));
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            String stdout = Files.readString(out, StandardCharsets.UTF_8).strip();
            String stderr = Files.readString(err, StandardCharsets.UTF_8);
            Files.delete(out);
            Files.delete(err);
            if ((p.exitValue() != 0 && p.exitValue() != 1) || stdout.isEmpty()) {
                throw new AssertionError("node " + script + " " + scenario + " exited " + p.exitValue() + "; stdout: "
                        + stdout + "; stderr: " + stderr);
            }
            return ConversationsIT.json(stdout.lines().reduce((a, b) -> b).orElseThrow());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
