package dev.chatstream.core;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * One streamed completion from an HTTP upstream, with what every such {@link LlmStream} must do the same way: an
 * {@link Http1Exchange} that cancellation and a {@link Watchdog} (first token, idle, overall) both abort at once, the
 * connection closed at the end whatever happened, and every failure turned into one {@link ChatException}:
 * {@link StreamCancelledException} when cancelled, the adapter's timeout when a deadline passed, else the adapter's
 * own mapping. A listener's exception passes through unchanged when it was delivered with {@link #deliver}.
 * The Ollama and the OpenAI-compatible adapters share it.
 */
public final class UpstreamCall {
    private static final ScheduledThreadPoolExecutor WATCHDOGS = watchdogScheduler();

    private UpstreamCall() {
    }

    /** What the adapter does with the exchange: post, read, deliver; returns the usage. */
    @FunctionalInterface
    public interface Body {
        Usage run(Http1Exchange exchange, Watchdog watchdog) throws IOException;
    }

    /** How the adapter words each failure for its upstream. */
    public interface Failures {
        /** A deadline passed. */
        ChatException timeout(Watchdog.Expiry expiry, Duration limit);

        /** A line was longer than the adapter's limit. */
        ChatException lineTooLong();

        /** Connecting or sending failed, before the answer's head arrived. */
        ChatException sending(IOException e);

        /** The connection broke after the answer began. */
        ChatException connectionBroke(Throwable e);

        /** A short request ({@link #fetch}) was answered with {@code status}, not 200; {@code body} is its text. */
        ChatException status(int status, String body, URI endpoint, Optional<String> retryAfter);

        /** A short request got no answer within {@code limit}. */
        ChatException noAnswer(Duration limit, Throwable cause);
    }

    /** The time limits of one call. */
    public record Limits(Duration connect, Duration firstToken, Duration idle, Duration overall) {
        public Limits {
            Checks.notNull(connect, "connect");
            Checks.notNull(firstToken, "firstToken");
            Checks.notNull(idle, "idle");
            Checks.notNull(overall, "overall");
        }
    }

    /**
     * Runs {@code body} against {@code endpoint}.
     *
     * @throws ChatException as described above; a listener's own exception unchanged
     */
    public static Usage run(URI endpoint, Limits limits, Cancellation cancellation, Failures failures, Body body) {
        Http1Exchange exchange = new Http1Exchange(endpoint, limits.connect());
        try (Watchdog watchdog = new Watchdog(WATCHDOGS, limits.firstToken(), limits.idle(), limits.overall(),
                exchange::abort);
             Cancellation.Registration ignored = cancellation.onCancel(exchange::abort)) {
            try {
                return body.run(exchange, watchdog);
            } catch (ListenerFailed e) {
                exchange.abort();
                throw e.unwrap();
            } catch (IOException | ChatException | CancellationException e) {
                exchange.abort();
                if (cancellation.isCancelled()) {
                    throw new StreamCancelledException(cancellation.reason());
                }
                Optional<Watchdog.Expiry> expired = watchdog.expired();
                if (expired.isPresent()) {
                    throw failures.timeout(expired.get(), watchdog.limit(expired.get()));
                }
                throw switch (e) {
                    case ChatException chat -> chat;
                    case LineReader.LineTooLongException tooLong -> failures.lineTooLong();
                    case IOException io when !exchange.receiving() -> failures.sending(io);
                    case IOException io -> failures.connectionBroke(io);
                    default -> failures.connectionBroke(e);
                };
            } finally {
                exchange.abort(); // closes the connection: after a complete reply, and on every failure
            }
        }
    }

    /**
     * A short request on the JDK {@link java.net.http.HttpClient} (a model list, a version, a model's details): the
     * text of its 200 answer; any other status, no answer in time, or a failure to connect or send as
     * {@code failures} word them.
     *
     * @throws ChatException as described; {@link StreamCancelledException} when the thread is interrupted
     */
    public static String fetch(java.net.http.HttpClient http, java.net.http.HttpRequest request, Failures failures) {
        try {
            java.net.http.HttpResponse<byte[]> response = http.send(request,
                    java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            String text = new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
            if (response.statusCode() != 200) {
                throw failures.status(response.statusCode(), text, request.uri(),
                        response.headers().firstValue("Retry-After"));
            }
            return text;
        } catch (java.net.http.HttpTimeoutException e) {
            throw failures.noAnswer(request.timeout().orElse(Duration.ZERO), e);
        } catch (IOException e) {
            throw failures.sending(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StreamCancelledException("Interrupted while asking " + request.uri().getHost());
        }
    }

    /** Gives {@code delta} to {@code listener} so that the listener's own failure leaves {@link #run} unchanged. */
    public static void deliver(LlmListener listener, LlmDelta delta) {
        try {
            listener.onDelta(delta);
        } catch (RuntimeException | Error e) {
            throw new ListenerFailed(e);
        }
    }

    private static ScheduledThreadPoolExecutor watchdogScheduler() {
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().name("upstream-watchdog").daemon(true).factory());
        scheduler.setRemoveOnCancelPolicy(true);
        return scheduler;
    }

    /** A listener's own failure, carried past the I/O error handling unchanged. */
    private static final class ListenerFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ListenerFailed(Throwable cause) {
            super(null, cause, false, false);
        }

        RuntimeException unwrap() {
            if (getCause() instanceof Error error) {
                throw error;
            }
            return (RuntimeException) getCause();
        }
    }
}
