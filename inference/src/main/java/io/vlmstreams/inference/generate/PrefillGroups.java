package io.vlmstreams.inference.generate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Cuts the prompts of one decode batch into groups that are prefilled together. A left-padded
 * prefill computes every padding position and throws it away, so one tiled image (1,300 tokens)
 * beside three small ones (200) would cost the prefill 2.6 times its work; instead prompts are
 * taken shortest first and a group is closed before its padded size would exceed
 * {@code maxPaddingRatio} times its real tokens. The groups then decode as one batch
 * ({@link ContinuousBatch} merges their caches), where padding costs almost nothing.
 */
public final class PrefillGroups {

    /** Padded prefill tokens allowed per real token before a group is cut. */
    public static final double DEFAULT_MAX_PADDING_RATIO = 1.3;

    private PrefillGroups() {
    }

    /** Indices into {@code lengths}, grouped; every index appears once. */
    public static List<List<Integer>> plan(int[] lengths, double maxPaddingRatio) {
        if (!(maxPaddingRatio >= 1)) {
            throw new IllegalArgumentException("maxPaddingRatio must be >= 1, got " + maxPaddingRatio);
        }
        List<Integer> order = IntStream.range(0, lengths.length).boxed()
                .sorted(Comparator.comparingInt(i -> lengths[i]))
                .toList();
        List<List<Integer>> groups = new ArrayList<>();
        List<Integer> current = new ArrayList<>();
        long real = 0;
        for (int i : order) {
            // sorted ascending: this prompt's length is the group's padded width if it joins
            long padded = (current.size() + 1L) * lengths[i];
            if (!current.isEmpty() && padded > maxPaddingRatio * (real + lengths[i])) {
                groups.add(current);
                current = new ArrayList<>();
                real = 0;
            }
            current.add(i);
            real += lengths[i];
        }
        if (!current.isEmpty()) {
            groups.add(current);
        }
        return groups;
    }
}
