package dev.chatstream.http;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;

/** {@code GET /metrics}: Prometheus text format. Outside {@code /api/}, so scrapers need no token. */
@Path("/metrics")
public final class MetricsResource {
    private final ServerMetrics metrics;

    @Inject
    MetricsResource(ServerMetrics metrics) {
        this.metrics = metrics;
    }

    @GET
    @Produces("text/plain; version=0.0.4; charset=utf-8")
    public String scrape() {
        return metrics.scrape();
    }
}
