package dev.chatstream.bench;

import java.util.Arrays;

/** Nearest-rank percentiles of a sample of nanosecond values, reported in milliseconds. */
record Percentiles(int count, double p50, double p90, double p99, double max) {
    static final Percentiles NONE = new Percentiles(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

    static Percentiles of(long[] nanos, int count) {
        if (count == 0) {
            return NONE;
        }
        long[] s = Arrays.copyOf(nanos, count);
        Arrays.sort(s);
        return new Percentiles(count, ms(rank(s, 0.50)), ms(rank(s, 0.90)), ms(rank(s, 0.99)), ms(s[count - 1]));
    }

    private static long rank(long[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    /** This minus {@code base}, percentile by percentile. */
    Percentiles minus(Percentiles base) {
        return new Percentiles(count, p50 - base.p50, p90 - base.p90, p99 - base.p99, max - base.max);
    }
}
