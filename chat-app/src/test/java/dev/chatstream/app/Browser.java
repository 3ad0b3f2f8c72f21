package dev.chatstream.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.function.Predicate;

/**
 * Debian's headless Chromium driven through chromedriver's W3C WebDriver HTTP API (a few calls, no client
 * library, nothing downloaded). {@code .ci/run} installs {@code chromium} and {@code chromium-driver}.
 */
final class Browser implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
    static final String ENTER = "\uE007";

    private final Process driver;
    private final URI base;
    private final String session;
    private final Path profile;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    Browser() throws IOException, InterruptedException {
        Path chromedriver = firstExisting("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");
        Path chromium = firstExisting("/usr/bin/chromium", "/usr/lib/chromium/chromium");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        driver = new ProcessBuilder(chromedriver.toString(), "--port=" + port).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        base = URI.create("http://127.0.0.1:" + port + "/");
        awaitDriver();
        profile = Files.createTempDirectory("chatstream-chromium-");
        ObjectNode options = JSON.createObjectNode().put("binary", chromium.toString());
        ArrayNode args = options.putArray("args");
        for (String a : List.of("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--window-size=1100,800", "--user-data-dir=" + profile)) {
            args.add(a);
        }
        ObjectNode caps = JSON.createObjectNode();
        caps.putObject("capabilities").putObject("alwaysMatch").put("browserName", "chrome")
                .set("goog:chromeOptions", options);
        session = call("POST", "session", caps).path("sessionId").asText();
    }

    private static Path firstExisting(String... paths) {
        for (String p : paths) {
            if (Files.isExecutable(Path.of(p))) {
                return Path.of(p);
            }
        }
        throw new IllegalStateException("Not installed: " + paths[0]
                + "; run: apt-get install -y chromium chromium-driver (.ci/run does it)");
    }

    private void awaitDriver() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (call("GET", "status", null).path("ready").asBoolean()) {
                    return;
                }
            } catch (RuntimeException e) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("chromedriver did not start");
    }

    void open(String url) {
        call("POST", "session/" + session + "/url", JSON.createObjectNode().put("url", url));
    }

    void refresh() {
        call("POST", "session/" + session + "/refresh", JSON.createObjectNode());
    }

    void windowSize(int width, int height) {
        call("POST", "session/" + session + "/window/rect", JSON.createObjectNode().put("width", width)
                .put("height", height));
    }

    String find(String css) {
        return call("POST", "session/" + session + "/element", JSON.createObjectNode().put("using", "css selector")
                .put("value", css)).path(ELEMENT).asText();
    }

    void click(String css) {
        call("POST", "session/" + session + "/element/" + find(css) + "/click", JSON.createObjectNode());
    }

    /** Types into the element as a person would (real key events); {@link #ENTER} presses Enter. */
    void type(String css, String text) {
        call("POST", "session/" + session + "/element/" + find(css) + "/value", JSON.createObjectNode().put("text", text));
    }

    /** Runs {@code script} (a function body; {@code return} gives the result) in the page. */
    JsonNode script(String script, Object... args) {
        ObjectNode body = JSON.createObjectNode().put("script", script);
        body.set("args", JSON.valueToTree(args));
        return call("POST", "session/" + session + "/execute/sync", body);
    }

    /** Runs {@code script}, which ends by calling {@code done(result)} (it may await first). */
    JsonNode asyncScript(String script) {
        ObjectNode body = JSON.createObjectNode().put("script", "const done = arguments[arguments.length - 1];\n"
                + "(async () => {\n" + script + "\n})().catch((e) => done('failed: ' + e));");
        body.putArray("args");
        return call("POST", "session/" + session + "/execute/async", body);
    }

    /** The text a person sees in the element matched by {@code css} ("" when there is none). */
    String text(String css) {
        return script("const e = document.querySelector(arguments[0]); return e ? e.innerText : '';", css).asText();
    }

    /** Waits until {@code condition} holds for the text of {@code css}; returns that text. */
    String await(String css, Predicate<String> condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String text = text(css);
        while (!condition.test(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out waiting for " + what + "; " + css + " shows:\n" + text);
            }
            sleep();
            text = text(css);
        }
        return text;
    }

    /** Waits until {@code script} returns true. */
    void awaitTrue(String script, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!script(script).asBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out waiting for " + what);
            }
            sleep();
        }
    }

    void screenshot(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, Base64.getDecoder().decode(call("GET", "session/" + session + "/screenshot", null).asText()));
    }

    private static void sleep() {
        try {
            Thread.sleep(25);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private JsonNode call(String method, String path, JsonNode body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body.toString()));
        try {
            HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode value = JSON.readTree(r.body()).path("value");
            if (r.statusCode() != 200) {
                throw new IllegalStateException("WebDriver " + method + " " + path + " failed: " + value);
            }
            return value;
        } catch (IOException e) {
            throw new IllegalStateException("WebDriver " + method + " " + path + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            call("DELETE", "session/" + session, null);
        } catch (RuntimeException e) {
            // the browser is going away anyway
        }
        driver.destroy();
        try (var files = Files.walk(profile)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp dir left behind
        }
    }
}
