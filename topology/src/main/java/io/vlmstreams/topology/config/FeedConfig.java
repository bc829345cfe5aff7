package io.vlmstreams.topology.config;

import java.time.Duration;

/**
 * How a pipeline treats frames from camera-like sources (all off by default): a frame too old to be
 * worth answering is dropped as {@code STALE}, a newer frame of the same source replaces the pending
 * one ({@code SUPERSEDED}), batches are filled round-robin across sources, and a compacted topic may
 * give each source its own prompt.
 *
 * @param maxEventAge        null: frames never go stale
 * @param latestPerSource    at most one pending frame per {@code source_id}
 * @param roundRobin         batches take one frame per source in turn
 * @param sourcePromptsTopic null: no per-source prompts
 */
public record FeedConfig(Duration maxEventAge, boolean latestPerSource, boolean roundRobin, String sourcePromptsTopic) {

    /** Every frame answered in arrival order, as a pipeline does by default. */
    public static final FeedConfig OFF = new FeedConfig(null, false, false, null);

    public FeedConfig {
        if (maxEventAge != null && (maxEventAge.isNegative() || maxEventAge.isZero())) {
            throw new IllegalArgumentException("max event age must be positive: " + maxEventAge);
        }
    }

    /** The feed keys of a pipeline's {@code values}. */
    static FeedConfig read(SettingValues values) {
        long age = values.longValue(Settings.MAX_EVENT_AGE_MS);
        return new FeedConfig(age == 0 ? null : Duration.ofMillis(age), values.bool(Settings.LATEST_PER_SOURCE),
                values.bool(Settings.SOURCE_ROUND_ROBIN), values.string(Settings.SOURCE_PROMPTS_TOPIC));
    }
}
