package io.vlmstreams.inference.cli;

import java.util.List;
import java.util.Locale;

/**
 * Whether memory stayed flat over a soak: the mean of the first window of samples against the mean
 * of the last window (each a quarter of the samples, at least one), for heap and for RSS. Growth up
 * to {@code toleranceBytes} counts as flat: allocators and JIT settle in steps.
 */
public record SoakVerdict(double firstHeapMb, double lastHeapMb, double firstRssMb, double lastRssMb,
                          double toleranceMb, boolean flat) {

    private static final double MB = 1024.0 * 1024.0;

    /** The verdict over {@code samples} (oldest first, at least one). */
    public static SoakVerdict of(List<MemorySample> samples, long toleranceBytes) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("no samples");
        }
        int window = Math.max(1, samples.size() / 4);
        List<MemorySample> first = samples.subList(0, window);
        List<MemorySample> last = samples.subList(samples.size() - window, samples.size());
        double h0 = mean(first, true);
        double h1 = mean(last, true);
        double r0 = mean(first, false);
        double r1 = mean(last, false);
        double tolerance = toleranceBytes / MB;
        boolean flat = h1 - h0 <= tolerance && (r0 < 0 || r1 - r0 <= tolerance);
        return new SoakVerdict(h0, h1, r0, r1, tolerance, flat);
    }

    private static double mean(List<MemorySample> samples, boolean heap) {
        return samples.stream().mapToLong(s -> heap ? s.heapUsedBytes() : s.rssBytes()).average().orElse(0) / MB;
    }

    /** One line, e.g. {@code VERDICT: FLAT heap 41.2 -> 41.9 MB (+0.7), rss 512.0 -> 515.3 MB (+3.3), tolerance 32 MB}. */
    public String line() {
        return String.format(Locale.ROOT, "VERDICT: %s heap %.1f -> %.1f MB (%+.1f), rss %.1f -> %.1f MB (%+.1f), tolerance %.0f MB",
                flat ? "FLAT" : "GROWING", firstHeapMb, lastHeapMb, lastHeapMb - firstHeapMb,
                firstRssMb, lastRssMb, lastRssMb - firstRssMb, toleranceMb);
    }
}
