package dev.chatstream.http;

import java.time.Duration;
import java.util.List;

/**
 * What the HTTP server itself is set to: where it listens, its limits and timeouts. Built and validated by the
 * composition from the settings in {@code docs/configuration.md}; every value is checked here too, so a bad one
 * fails at start, naming the field.
 *
 * @param host                 address to listen on
 * @param port                 TCP port, 0 for any free one
 * @param heartbeat            time between {@code : ping} comments on a quiet stream
 * @param maxBodyBytes         largest request body
 * @param ratePerMinute        chat requests per user per minute
 * @param rateBurst            chat requests a user may start at once
 * @param streamsPerUser       open streams per user
 * @param streamsTotal         open streams in all
 * @param maxStreamDuration    longest a stream may run
 * @param slowClientTimeout    longest a write may wait for a client that does not read
 * @param shutdownGrace        how long open streams get to close on shutdown
 * @param corsOrigins          origins allowed by CORS ({@code *} for any); empty for none
 * @param actionsAuto          whether the server runs the actions the model asks for; off: clients get them
 * @param actionConfirmTimeout how long a high-impact action waits for the user's confirmation
 */
public record HttpConfig(String host, int port, Duration heartbeat, int maxBodyBytes, int ratePerMinute,
        int rateBurst, int streamsPerUser, int streamsTotal, Duration maxStreamDuration, Duration slowClientTimeout,
        Duration shutdownGrace, List<String> corsOrigins, boolean actionsAuto, Duration actionConfirmTimeout) {

    public HttpConfig {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host must be an address such as 127.0.0.1, got \"" + host + "\"");
        }
        require(port >= 0 && port <= 65_535, "port", port);
        positive(heartbeat, "heartbeat");
        require(maxBodyBytes > 0, "maxBodyBytes", maxBodyBytes);
        require(ratePerMinute > 0, "ratePerMinute", ratePerMinute);
        require(rateBurst > 0, "rateBurst", rateBurst);
        require(streamsPerUser > 0, "streamsPerUser", streamsPerUser);
        require(streamsTotal > 0, "streamsTotal", streamsTotal);
        positive(maxStreamDuration, "maxStreamDuration");
        positive(slowClientTimeout, "slowClientTimeout");
        if (shutdownGrace == null || shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("shutdownGrace must be zero or more, got " + shutdownGrace);
        }
        corsOrigins = List.copyOf(corsOrigins);
        positive(actionConfirmTimeout, "actionConfirmTimeout");
    }

    private static void require(boolean ok, String field, int value) {
        if (!ok) {
            throw new IllegalArgumentException(field + " is out of range: " + value);
        }
    }

    private static void positive(Duration d, String field) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(field + " must be a positive duration, got " + d);
        }
    }
}
