package dev.chatstream.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/** Writes {@code results.md} (the tables) and three PNG charts next to it. */
final class Report {
    private Report() {
    }

    static void write(Path out, List<Bench.Level> levels, Bench.Aborts aborts, Bench.Idle idle, Bench.Turns turns,
            Instant started,
            Duration took, boolean quick) throws IOException {
        System.setProperty("java.awt.headless", "true");
        StringBuilder md = new StringBuilder();
        md.append("<!-- written by bin/chat-bench").append(quick ? " --quick" : "").append(" on ").append(started)
                .append(" in ").append(took.toSeconds()).append(" s -->\n");
        md.append("Machine: ").append(Bench.machine()).append(".\n\n");
        md.append("| streams at once | streams | first chunk p50 / p90 / p99 / max, ms (direct) | added p50 / p99, ms "
                + "| gap between chunks p50 / p99 / max, ms (direct) | errors | server CPU per token, µs | driver CPU "
                + "per token, µs | server peak RSS, MB |\n|---|---|---|---|---|---|---|---|---|\n");
        for (Bench.Level l : levels) {
            md.append(String.format(Locale.ROOT, "| %d | %d | %s (%s) | %.2f / %.2f | %s (%s) | %s | %.1f | %.1f | %.0f |%n",
                    l.concurrency(), l.streams(), four(l.serverFirst()), four(l.directFirst()), l.added().p50(),
                    l.added().p99(), three(l.serverGaps()), three(l.directGaps()), errors(l.errors()),
                    l.serverCpuPerTokenMicros(), l.driverCpuPerTokenMicros(), l.peakRssMb()));
        }
        md.append(String.format(Locale.ROOT, "%n| client disconnect to upstream closed | p50 | p90 | p99 | max | not seen |"
                        + "%n|---|---|---|---|---|---|%n| through the server (64 users, %d streams closed after 10 chunks) | %.2f ms "
                        + "| %.2f ms | %.2f ms | %.2f ms | %d |%n| the fake Ollama's own client, closing directly | %.2f ms "
                        + "| %.2f ms | %.2f ms | %.2f ms | - |%n",
                aborts.streams(), aborts.server().p50(), aborts.server().p90(), aborts.server().p99(),
                aborts.server().max(), aborts.missing(), aborts.direct().p50(), aborts.direct().p90(),
                aborts.direct().p99(), aborts.direct().max()));
        md.append(String.format(Locale.ROOT, "%n| mostly idle streams (model loading %s) | value |%n|---|---|%n"
                        + "| streams opened | %d of %d |%n| errors | %s |%n| heartbeats seen | %d of %d expected |%n"
                        + "| heartbeat lateness after each 15 s (from the stream's opening) p50 / p99 / max | %.0f / %.0f / %.0f ms |%n| server heap used | %.0f MB |%n"
                        + "| server peak RSS | %.0f MB |%n| server CPU while all wait | %.1f ms per second |%n"
                        + "| server threads | %d |%n",
                quick ? "17 s" : "35 s", idle.opened(), idle.streams(), errors(idle.errors()), idle.pingsSeen(),
                idle.pingsExpected(), idle.pingLateness().p50(), idle.pingLateness().p99(), idle.pingLateness().max(),
                idle.heapUsedMb(), idle.peakRssMb(), idle.idleCpuMillisPerSecond(), idle.threads()));
        if (turns != null) {
            md.append(String.format(Locale.ROOT, "%n| resumable turns (issue 19) | value |%n|---|---|%n"
                            + "| reattach to first replayed event p50 / p90 / p99 / max (64 users, %d streams cut after 10 "
                            + "chunks) | %s ms |%n| complete after the reattach, every chunk once | %d of %d |%n"
                            + "| errors | %s |%n| server CPU per token at 64 streams, plain / resumable | %.1f / %.1f µs |%n"
                            + "| heap kept per ended turn (100 chunks; %d turns, logs kept 1 h) | %.1f KiB |%n",
                    turns.streams(), four(turns.reattach()), turns.complete(), turns.streams(), errors(turns.errors()),
                    turns.plainCpuMicros(), turns.resumableCpuMicros(), turns.keptTurns(),
                    turns.bytesPerKeptTurn() / 1024));
        }
        Files.writeString(out.resolve("results.md"), md.toString());

        List<String> x = levels.stream().map(l -> Integer.toString(l.concurrency())).toList();
        CategoryChart first = chart("Time to first chunk by concurrency", "streams at once", "ms");
        first.addSeries("server p50", x, levels.stream().map(l -> (Number) l.serverFirst().p50()).toList());
        first.addSeries("server p99", x, levels.stream().map(l -> (Number) l.serverFirst().p99()).toList());
        first.addSeries("direct p50", x, levels.stream().map(l -> (Number) l.directFirst().p50()).toList());
        first.addSeries("direct p99", x, levels.stream().map(l -> (Number) l.directFirst().p99()).toList());
        BitmapEncoder.saveBitmap(first, out.resolve("first-chunk.png").toString(), BitmapEncoder.BitmapFormat.PNG);

        CategoryChart cpu = chart("Server CPU per relayed token", "streams at once", "µs");
        cpu.addSeries("server", x, levels.stream().map(l -> (Number) l.serverCpuPerTokenMicros()).toList());
        cpu.addSeries("target (25 µs)", x, levels.stream().map(l -> (Number) 25.0).toList());
        BitmapEncoder.saveBitmap(cpu, out.resolve("cpu-per-token.png").toString(), BitmapEncoder.BitmapFormat.PNG);

        CategoryChart mem = chart("Server peak resident memory", "streams at once", "MB");
        List<String> mx = new java.util.ArrayList<>(x);
        mx.add(idle.streams() + " idle");
        List<Number> my = new java.util.ArrayList<>(levels.stream().map(l -> (Number) l.peakRssMb()).toList());
        my.add(idle.peakRssMb());
        mem.addSeries("peak RSS", mx, my);
        BitmapEncoder.saveBitmap(mem, out.resolve("memory.png").toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static CategoryChart chart(String title, String xTitle, String yTitle) {
        CategoryChart c = new CategoryChartBuilder().width(720).height(400).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        return c;
    }

    private static String four(Percentiles p) {
        return String.format(Locale.ROOT, "%.2f / %.2f / %.2f / %.2f", p.p50(), p.p90(), p.p99(), p.max());
    }

    private static String three(Percentiles p) {
        return String.format(Locale.ROOT, "%.1f / %.1f / %.1f", p.p50(), p.p99(), p.max());
    }

    private static String errors(java.util.Map<String, Integer> e) {
        return e.isEmpty() ? "0" : e.toString();
    }
}
