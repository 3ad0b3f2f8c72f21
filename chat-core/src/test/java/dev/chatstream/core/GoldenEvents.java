package dev.chatstream.core;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The events the golden files under {@code src/test/resources/wire/} hold, in file order: file {@code NAME.sse} is
 * the event named NAME, numbered by its place (from 1), with request id {@link #REQUEST_ID}. The files were written
 * by the encoder as it was before the codec moved to core (main at 589f15b), so they pin the wire as clients saw it.
 * In the core's test-jar, so that other modules' tests (the browser's client) read the same files.
 */
public final class GoldenEvents {
    /** The request id in every golden {@code done} and {@code error}. */
    public static final String REQUEST_ID = "req-golden";

    private GoldenEvents() {
    }

    /** The bytes of {@code wire/NAME.sse}. */
    public static byte[] bytes(String name) {
        try (java.io.InputStream in = GoldenEvents.class.getResourceAsStream("/wire/" + name + ".sse")) {
            if (in == null) {
                throw new IllegalArgumentException("no golden file wire/" + name + ".sse");
            }
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Every golden event by file name, in file order. */
    public static Map<String, ChatEvent> all() {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("domain", "climate");
        args.put("service", "set_temperature");
        args.put("entity_id", "climate.sala");
        args.put("temperature", 22L);
        args.put("extra", List.of(1.5, true, "a\"b"));
        Map<String, ChatEvent> events = new LinkedHashMap<>();
        events.put("chunk", new ChatEvent.Chunk("Olá "));
        events.put("chunk-multibyte", new ChatEvent.Chunk("Ligo o ar 🌡️ a 22 °C — já está, 日本語"));
        events.put("chunk-sse-syntax", new ChatEvent.Chunk(
                "linha\n\ndata: falso\r\nevent: done\n: comentário\rid: 9\\ \u0001\t\"fim\""));
        events.put("thinking", new ChatEvent.Thinking("O utilizador quer o ar a 22."));
        events.put("final-text", new ChatEvent.FinalText("Vou ligar o ar condicionado da sala a 22 graus."));
        events.put("action", new ChatEvent.ActionRequested(new Action("homeassistant_call_service", args)));
        events.put("action-ticket", new ChatEvent.ActionRequested(new Action("homeassistant_call_service",
                Map.of("domain", "lock")), Optional.of(new ChatEvent.ActionTicket("act_Qm9yZGVy",
                Optional.of(Instant.parse("2026-12-01T10:15:30.123Z"))))));
        events.put("action-ticket-now", new ChatEvent.ActionRequested(new Action("homeassistant_call_service",
                Map.of()), Optional.of(new ChatEvent.ActionTicket("act_b3Blbg", Optional.empty()))));
        events.put("action-result", new ChatEvent.ActionResult("act_Qm9yZGVy", ActionStatus.DONE,
                "Home Assistant ran lock.unlock on lock.porta"));
        events.put("action-error", new ChatEvent.InvalidAction(
                "The ACTION line is not JSON: expected a value at character 9"));
        events.put("done", new ChatEvent.Done(new Usage(120, 42, Duration.ofMillis(2345), Duration.ofMillis(12),
                Duration.ofMillis(100), Duration.ofMillis(2000), "stop"), OptionalLong.of(7)));
        events.put("done-unknown", new ChatEvent.Done(Usage.unknown()));
        events.put("error", new ChatEvent.Failed(ErrorCode.LLM_UNAVAILABLE,
                "Ollama is not reachable at http://127.0.0.1:11434 — is it running?", OptionalLong.of(7),
                Duration.ofMillis(2500)));
        events.put("error-plain", new ChatEvent.Failed(ErrorCode.CANCELLED, "stopped"));
        events.put("phase", new ChatEvent.Phase(ChatEvent.Phase.Kind.LOADING_MODEL, 12));
        events.put("speech", new ChatEvent.Speech("Vou ligar o ar condicionado da sala a 22 graus.", 1));
        return events;
    }
}
