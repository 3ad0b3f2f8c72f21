package dev.chatstream.http;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;

/**
 * {@code GET /metrics}: Prometheus text format. Outside {@code /api/}, so scrapers need no user's token; with
 * {@code metrics.token} set, the scraper sends {@code Authorization: Bearer <that token>} (compared in constant
 * time) or gets 401.
 */
@Path("/metrics")
public final class MetricsResource {
    private final ServerMetrics metrics;
    private final byte[] token;

    @Inject
    MetricsResource(ServerMetrics metrics, HttpConfig config) {
        this.metrics = metrics;
        this.token = config.metricsToken().value().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    @GET
    @Produces("text/plain; version=0.0.4; charset=utf-8")
    public String scrape(@jakarta.ws.rs.HeaderParam("Authorization") String authorization) {
        if (token.length > 0) {
            String given = authorization != null && authorization.startsWith("Bearer ")
                    ? authorization.substring("Bearer ".length()).strip() : "";
            if (!java.security.MessageDigest.isEqual(token,
                    given.getBytes(java.nio.charset.StandardCharsets.US_ASCII))) {
                throw ApiException.unauthorized("GET /metrics needs the scrape token (metrics.token) as "
                        + "\"Authorization: Bearer <token>\"; in Prometheus, set authorization.credentials");
            }
        }
        return metrics.scrape();
    }
}
