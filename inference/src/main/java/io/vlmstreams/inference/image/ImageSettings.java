package io.vlmstreams.inference.image;

/**
 * Per-request overrides of {@link ImageProcessorConfig}; a null field keeps the configured value.
 *
 * @param minImageTokens  lower bound of image tokens for the single tile / thumbnail
 * @param maxImageTokens  upper bound of image tokens for the single tile / thumbnail
 * @param doImageSplitting whether large images may be cut into tiles
 */
public record ImageSettings(Integer minImageTokens, Integer maxImageTokens, Boolean doImageSplitting) {

    /** No overrides. */
    public static final ImageSettings NONE = new ImageSettings(null, null, null);

    public ImageSettings {
        if (minImageTokens != null && minImageTokens <= 0) {
            throw new IllegalArgumentException("minImageTokens must be positive: " + minImageTokens);
        }
        if (maxImageTokens != null && maxImageTokens <= 0) {
            throw new IllegalArgumentException("maxImageTokens must be positive: " + maxImageTokens);
        }
    }
}
