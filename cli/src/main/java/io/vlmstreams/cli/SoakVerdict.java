package io.vlmstreams.cli;

import java.util.List;
import java.util.Locale;

/**
 * Whether memory stayed flat over a soak: the mean of the first window of samples against the mean
 * of the last window (each a quarter of the samples, at least one), for heap and for RSS. Growth up
 * to the tolerance counts as flat: the larger of a fixed amount and a share of the first window,
 * because RSS swings by a few percent with whichever images happen to be in flight at a sample.
 * Where RSS is unknown (-1, no {@code /proc}) the heap decides alone. A pure function of the
 * samples: {@code soak} takes them, this judges them.
 */
public record SoakVerdict(double firstHeapMb, double lastHeapMb, double firstRssMb, double lastRssMb,
                          double heapToleranceMb, double rssToleranceMb, boolean flat) {

    private static final double MB = 1024.0 * 1024.0;

    /** The verdict over {@code samples} (oldest first, at least one). */
    public static SoakVerdict of(List<MemorySample> samples, long toleranceBytes, double tolerancePercent) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("no samples");
        }
        if (toleranceBytes < 0 || tolerancePercent < 0) {
            throw new IllegalArgumentException("tolerances must be >= 0");
        }
        int window = Math.max(1, samples.size() / 4);
        List<MemorySample> first = samples.subList(0, window);
        List<MemorySample> last = samples.subList(samples.size() - window, samples.size());
        double h0 = mean(first, true);
        double h1 = mean(last, true);
        double r0 = mean(first, false);
        double r1 = mean(last, false);
        double heapTolerance = Math.max(toleranceBytes / MB, h0 * tolerancePercent / 100);
        double rssTolerance = Math.max(toleranceBytes / MB, r0 * tolerancePercent / 100);
        boolean flat = h1 - h0 <= heapTolerance && (r0 < 0 || r1 - r0 <= rssTolerance);
        return new SoakVerdict(h0, h1, r0, r1, heapTolerance, rssTolerance, flat);
    }

    /** The exit code of {@code soak}: 0 when flat, 2 when growing. */
    public int exitCode() {
        return flat ? 0 : 2;
    }

    private static double mean(List<MemorySample> samples, boolean heap) {
        return samples.stream().mapToLong(s -> heap ? s.heapUsedBytes() : s.rssBytes()).average().orElse(0) / MB;
    }

    /** One line, e.g. {@code VERDICT: FLAT heap 41.2 -> 41.9 MB (+0.7 of 32), rss 512.0 -> 515.3 MB (+3.3 of 32)}. */
    public String line() {
        return String.format(Locale.ROOT, "VERDICT: %s heap %.1f -> %.1f MB (%+.1f of %.0f allowed), rss %.1f -> %.1f MB (%+.1f of %.0f allowed)",
                flat ? "FLAT" : "GROWING", firstHeapMb, lastHeapMb, lastHeapMb - firstHeapMb, heapToleranceMb,
                firstRssMb, lastRssMb, lastRssMb - firstRssMb, rssToleranceMb);
    }
}
