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

    static BatchConfig read(ConfigSource src, String prefix, BatchConfig defaults) {
        int size = src.integer(prefix + "batch.max.size", defaults.maxSize(), 1, 4096);
        int tokens = src.integer(prefix + "batch.max.image.tokens", defaults.maxImageTokens(), 1, Integer.MAX_VALUE);
        long linger = src.longValue(prefix + "batch.linger.ms", defaults.linger().toMillis(), 1, 600_000);
        int reference = src.integer(prefix + "batch.reference.image.tokens", defaults.referenceImageTokens(), 1,
                Integer.MAX_VALUE);
        return new BatchConfig(size, tokens, Duration.ofMillis(linger), reference);
    }
}
