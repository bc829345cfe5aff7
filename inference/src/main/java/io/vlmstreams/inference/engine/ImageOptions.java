package io.vlmstreams.inference.engine;

/**
 * Per-request image budget: image tokens per tile and whether large images are split into tiles.
 * Null fields keep the model folder's preprocessor settings.
 */
public record ImageOptions(Integer minImageTokens, Integer maxImageTokens, Boolean splitting) {

    public static final ImageOptions DEFAULTS = new ImageOptions(null, null, null);

    public ImageOptions {
        if (minImageTokens != null && minImageTokens < 1) {
            throw new IllegalArgumentException("min_image_tokens must be >= 1, got " + minImageTokens);
        }
        if (maxImageTokens != null && maxImageTokens < 1) {
            throw new IllegalArgumentException("max_image_tokens must be >= 1, got " + maxImageTokens);
        }
        if (minImageTokens != null && maxImageTokens != null && minImageTokens > maxImageTokens) {
            throw new IllegalArgumentException("min_image_tokens " + minImageTokens + " > max_image_tokens " + maxImageTokens);
        }
    }
}
