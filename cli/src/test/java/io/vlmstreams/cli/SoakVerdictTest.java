package io.vlmstreams.cli;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToDoubleFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link SoakVerdict} on synthetic memory series: what counts as flat and what as growing. */
class SoakVerdictTest {

    private static final long MB = 1L << 20;
    private static final long TOLERANCE = 32 * MB;
    private static final double PERCENT = 5;

    /** {@code n} samples, heap and RSS in MB as functions of the sample index. */
    private static List<MemorySample> series(int n, IntToDoubleFunction heapMb, IntToDoubleFunction rssMb) {
        List<MemorySample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long rss = rssMb.applyAsDouble(i) < 0 ? -1 : (long) (rssMb.applyAsDouble(i) * MB);
            out.add(new MemorySample((long) (heapMb.applyAsDouble(i) * MB), rss, rss));
        }
        return out;
    }

    @Test
    void aFlatSeriesWithNoiseIsFlat() {
        // heap 100 MB +-2, RSS 500 MB +-10 (which images are in flight at a sample)
        SoakVerdict v = SoakVerdict.of(series(12, i -> 100 + (i % 3 - 1) * 2, i -> 500 + (i % 2 == 0 ? 10 : -10)), TOLERANCE, PERCENT);
        assertThat(v.flat()).isTrue();
        assertThat(v.exitCode()).isZero();
        assertThat(v.line()).startsWith("VERDICT: FLAT heap");
    }

    @Test
    void rssGrowingBatchAfterBatchIsGrowing() {
        // 8 MB more per sample: what unclosed native tensors look like
        SoakVerdict v = SoakVerdict.of(series(12, i -> 100, i -> 500 + 8.0 * i), TOLERANCE, PERCENT);
        assertThat(v.flat()).isFalse();
        assertThat(v.exitCode()).isEqualTo(2);
        assertThat(v.line()).startsWith("VERDICT: GROWING");
        // first window samples 0-2 (mean 508), last window 9-11 (mean 580)
        assertThat(v.firstRssMb()).isEqualTo(508.0);
        assertThat(v.lastRssMb()).isEqualTo(580.0);
    }

    @Test
    void aGrowingHeapIsGrowingEvenWhenRssIsFlat() {
        SoakVerdict v = SoakVerdict.of(series(8, i -> 100 + 20.0 * i, i -> 500), TOLERANCE, PERCENT);
        assertThat(v.flat()).isFalse();
    }

    @Test
    void theToleranceIsTheLargerOfTheFixedAmountAndTheShareOfTheFirstWindow() {
        // RSS 2,000 MB grows by 80: past 32 MB but within 5% (100 MB)
        assertThat(SoakVerdict.of(series(8, i -> 100, i -> i < 4 ? 2000 : 2080), TOLERANCE, PERCENT).flat()).isTrue();
        assertThat(SoakVerdict.of(series(8, i -> 100, i -> i < 4 ? 2000 : 2120), TOLERANCE, PERCENT).flat()).isFalse();
        // a small process: 5% of 200 MB is 10, so the fixed 32 MB decides
        assertThat(SoakVerdict.of(series(8, i -> 100, i -> i < 4 ? 200 : 230), TOLERANCE, PERCENT).flat()).isTrue();
        assertThat(SoakVerdict.of(series(8, i -> 100, i -> i < 4 ? 200 : 235), TOLERANCE, PERCENT).flat()).isFalse();
    }

    @Test
    void aTransientPeakBetweenTheWindowsDoesNotCount() {
        SoakVerdict v = SoakVerdict.of(series(12, i -> 100, i -> i == 6 ? 900 : 500), TOLERANCE, PERCENT);
        assertThat(v.flat()).isTrue();
    }

    @Test
    void unknownRssLeavesTheVerdictToTheHeap() {
        assertThat(SoakVerdict.of(series(8, i -> 100, i -> -1), TOLERANCE, PERCENT).flat()).isTrue();
        assertThat(SoakVerdict.of(series(8, i -> 100 + 10.0 * i, i -> -1), TOLERANCE, PERCENT).flat()).isFalse();
    }

    @Test
    void oneSampleIsFlatAndNoneIsAnError() {
        assertThat(SoakVerdict.of(series(1, i -> 100, i -> 500), TOLERANCE, PERCENT).flat()).isTrue();
        assertThatThrownBy(() -> SoakVerdict.of(List.of(), TOLERANCE, PERCENT)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SoakVerdict.of(series(2, i -> 1, i -> 1), -1, PERCENT)).isInstanceOf(IllegalArgumentException.class);
    }
}
