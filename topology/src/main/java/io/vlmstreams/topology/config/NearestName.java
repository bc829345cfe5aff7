package io.vlmstreams.topology.config;

import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;

import org.apache.commons.text.similarity.LevenshteinDistance;

/**
 * The known name closest to a mistyped one, for "did you mean" hints: fewest edits ignoring case
 * (so {@code VLM_PIPELINE_MY_CAM_PROMPT} finds {@code VLM_PIPELINE_my_cam_PROMPT}), then fewest edits
 * with case, then alphabetical, so the hint never depends on iteration order.
 */
final class NearestName {

    private static final LevenshteinDistance EDITS = LevenshteinDistance.getDefaultInstance();

    private NearestName() {
    }

    static Optional<String> of(String name, Collection<String> known) {
        String lower = name.toLowerCase(Locale.ROOT);
        return known.stream().min(Comparator
                .comparingInt((String k) -> EDITS.apply(lower, k.toLowerCase(Locale.ROOT)))
                .thenComparingInt(k -> EDITS.apply(name, k))
                .thenComparing(Comparator.naturalOrder()));
    }
}
