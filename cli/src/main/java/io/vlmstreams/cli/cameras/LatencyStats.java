package io.vlmstreams.cli.cameras;

import java.util.Arrays;

/** Percentiles of a set of millisecond figures (nearest rank); empty sets read as 0. */
public record LatencyStats(int count, long p50, long p90, long p95, long p99, long max) {

    /** The statistics of {@code values}. */
    public static LatencyStats of(long[] values) {
        if (values.length == 0) {
            return new LatencyStats(0, 0, 0, 0, 0, 0);
        }
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return new LatencyStats(sorted.length, rank(sorted, 50), rank(sorted, 90), rank(sorted, 95), rank(sorted, 99),
                sorted[sorted.length - 1]);
    }

    private static long rank(long[] sorted, int percent) {
        int index = (int) Math.ceil(percent / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
