package io.vlmstreams.topology.config;

import java.time.Duration;

/**
 * When a pipeline's pending requests run as one batch: at {@code maxSize} requests, at
 * {@code maxImageTokens} estimated image tokens, or when the oldest has waited {@code linger}.
 *
 * @param referenceImageTokens image tokens assumed for an image by reference, whose bytes are only
 *                             fetched when its batch runs
 */
public record BatchConfig(int maxSize, int maxImageTokens, Duration linger, int referenceImageTokens) {

    public BatchConfig {
        if (maxSize < 1 || maxImageTokens < 1 || referenceImageTokens < 1 || linger.isNegative() || linger.isZero()) {
            throw new IllegalArgumentException("batch limits must be positive: " + maxSize + ", " + maxImageTokens
                    + ", " + linger + ", " + referenceImageTokens);
        }
    }

    /** The batching keys of {@code values}: the application's {@code batch.*}, or a pipeline's. */
    static BatchConfig read(SettingValues values) {
        return new BatchConfig(values.integer(Settings.BATCH_MAX_SIZE), values.integer(Settings.BATCH_MAX_IMAGE_TOKENS),
                Duration.ofMillis(values.longValue(Settings.BATCH_LINGER_MS)),
                values.integer(Settings.BATCH_REFERENCE_IMAGE_TOKENS));
    }
}
