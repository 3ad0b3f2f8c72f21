package dev.chatstream.redis;

import dev.chatstream.core.ConfigException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;

/**
 * Where Redis is: {@code redis://[user:password@]host[:port][/db]}, or {@code rediss://} for TLS. {@link #toString}
 * and every message name the host, the port and the database only: the password is never printed or logged.
 *
 * @param tls      {@code rediss://}
 * @param host     the host
 * @param port     the port (6379 when the URL names none)
 * @param database the database number (0 when the URL names none)
 * @param user     the ACL user, if any
 * @param password the password, if any
 */
public record RedisUrl(boolean tls, String host, int port, int database, Optional<String> user,
                       Optional<String> password) {

    /**
     * Reads a URL.
     *
     * @throws ConfigException naming what is wrong, never quoting the URL (it may hold a password)
     */
    public static RedisUrl parse(String text) {
        URI uri;
        try {
            uri = new URI(text.strip());
        } catch (URISyntaxException e) {
            throw new ConfigException("redis.url is not a URL; it looks like redis://[user:password@]host:port/db, "
                    + "e.g. redis://127.0.0.1:6379/0 (rediss:// for TLS)");
        }
        String scheme = uri.getScheme();
        if (!"redis".equals(scheme) && !"rediss".equals(scheme)) {
            throw new ConfigException("redis.url must start with redis:// (or rediss:// for TLS), e.g. "
                    + "redis://127.0.0.1:6379/0");
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            throw new ConfigException("redis.url names no host; e.g. redis://127.0.0.1:6379/0");
        }
        int database = 0;
        String path = uri.getPath() == null ? "" : uri.getPath();
        if (!path.isEmpty() && !path.equals("/")) {
            if (!path.matches("/[0-9]{1,2}")) {
                throw new ConfigException("redis.url's database must be a number after the port, e.g. "
                        + "redis://127.0.0.1:6379/0");
            }
            database = Integer.parseInt(path.substring(1));
        }
        Optional<String> user = Optional.empty();
        Optional<String> password = Optional.empty();
        String info = uri.getRawUserInfo();
        if (info != null && !info.isEmpty()) {
            int colon = info.indexOf(':');
            String u = java.net.URLDecoder.decode(colon < 0 ? info : info.substring(0, colon),
                    java.nio.charset.StandardCharsets.UTF_8);
            String p = colon < 0 ? "" : java.net.URLDecoder.decode(info.substring(colon + 1),
                    java.nio.charset.StandardCharsets.UTF_8);
            if (colon < 0) {
                password = Optional.of(u); // redis://secret@host: a password without a user, as redis-cli reads it
            } else {
                user = u.isEmpty() ? Optional.empty() : Optional.of(u);
                password = p.isEmpty() ? Optional.empty() : Optional.of(p);
            }
        }
        return new RedisUrl("rediss".equals(scheme), uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort(), database,
                user, password);
    }

    /** {@code redis://host:port/db}, with {@code user@} when there is one, never the password. */
    @Override
    public String toString() {
        return (tls ? "rediss://" : "redis://") + user.map(u -> u + "@").orElse("") + host + ":" + port + "/" + database;
    }
}
