package io.vlmstreams.inference.image;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Settings of upstream's {@code Lfm2VlImageProcessor}, read once from a model folder's
 * {@code preprocessor_config.json} and/or {@code processor_config.json} (top level or its nested
 * {@code image_processor} object); keys that are absent keep upstream's defaults.
 *
 * @param maxNumPatches as declared in the file; the processor, like upstream, pads each request to
 *                      {@code max(maxImageTokens * downsample^2, splitting ? (tile / patch)^2 : 0)}
 *                      computed from the effective settings instead
 * @param resample      PIL resampling code; only 2 (bilinear) is implemented
 */
public record ImageProcessorConfig(
        int patchSize,
        int downsampleFactor,
        int tileSize,
        int minImageTokens,
        int maxImageTokens,
        int minTiles,
        int maxTiles,
        boolean useThumbnail,
        boolean doImageSplitting,
        double maxPixelsTolerance,
        boolean doRescale,
        double rescaleFactor,
        boolean doNormalize,
        List<Double> imageMean,
        List<Double> imageStd,
        int maxNumPatches,
        int resample) {

    /** PIL's code for bilinear resampling. */
    public static final int BILINEAR = 2;

    public ImageProcessorConfig {
        imageMean = List.copyOf(imageMean);
        imageStd = List.copyOf(imageStd);
        if (patchSize <= 0 || downsampleFactor <= 0 || tileSize <= 0) {
            throw new IllegalArgumentException("patch, downsample and tile sizes must be positive");
        }
        if (minImageTokens <= 0 || maxImageTokens < minImageTokens) {
            throw new IllegalArgumentException(
                    "need 0 < min_image_tokens <= max_image_tokens, got " + minImageTokens + ", " + maxImageTokens);
        }
        if (doImageSplitting && (minTiles <= 0 || minTiles > maxTiles)) {
            throw new IllegalArgumentException("need 0 < min_tiles <= max_tiles, got " + minTiles + ", " + maxTiles);
        }
        if (imageMean.size() != 3 || imageStd.size() != 3) {
            throw new IllegalArgumentException("image_mean and image_std need 3 channels");
        }
        if (resample != BILINEAR) {
            throw new IllegalArgumentException("only bilinear resampling (2) is implemented, config asks for " + resample);
        }
    }

    /** Upstream's defaults (transformers 5.17 {@code Lfm2VlImageProcessor()}). */
    public static ImageProcessorConfig defaults() {
        return new ImageProcessorConfig(16, 2, 512, 64, 256, 2, 10, true, true, 2.0,
                true, 1.0 / 255, true, List.of(0.5, 0.5, 0.5), List.of(0.5, 0.5, 0.5), 1024, BILINEAR);
    }

    /** Defaults overlaid with {@code node} (an image processor object, or an object holding one under "image_processor"). */
    public static ImageProcessorConfig fromJson(JsonNode node) {
        return defaults().withJson(node);
    }

    /**
     * This config with the keys present in {@code node} replaced; lets a caller layer
     * preprocessor_config over processor_config. {@code node} may be an image processor object or a
     * processor config: its top-level settings apply first, then those of a nested
     * {@code image_processor} object (newer processor_config.json files nest them). The patch size
     * is {@code encoder_patch_size}, or {@code patch_size} where a config names it so (a reported
     * LFM2-VL-1.6B processor config).
     */
    public ImageProcessorConfig withJson(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return this;
        }
        ImageProcessorConfig top = withFlat(node);
        JsonNode nested = node.get("image_processor");
        return nested != null && nested.isObject() ? top.withFlat(nested) : top;
    }

    private ImageProcessorConfig withFlat(JsonNode node) {
        int patch = integer(node, "encoder_patch_size", integer(node, "patch_size", patchSize));
        return new ImageProcessorConfig(
                patch,
                integer(node, "downsample_factor", downsampleFactor),
                integer(node, "tile_size", tileSize),
                integer(node, "min_image_tokens", minImageTokens),
                integer(node, "max_image_tokens", maxImageTokens),
                integer(node, "min_tiles", minTiles),
                integer(node, "max_tiles", maxTiles),
                bool(node, "use_thumbnail", useThumbnail),
                bool(node, "do_image_splitting", doImageSplitting),
                number(node, "max_pixels_tolerance", maxPixelsTolerance),
                bool(node, "do_rescale", doRescale),
                number(node, "rescale_factor", rescaleFactor),
                bool(node, "do_normalize", doNormalize),
                channels(node, "image_mean", imageMean),
                channels(node, "image_std", imageStd),
                integer(node, "max_num_patches", maxNumPatches),
                integer(node, "resample", resample));
    }

    /** The effective settings of one request. */
    public ImageProcessorConfig with(ImageSettings s) {
        if (s == null) {
            return this;
        }
        return new ImageProcessorConfig(patchSize, downsampleFactor, tileSize,
                s.minImageTokens() != null ? s.minImageTokens() : minImageTokens,
                s.maxImageTokens() != null ? s.maxImageTokens() : maxImageTokens,
                minTiles, maxTiles, useThumbnail,
                s.doImageSplitting() != null ? s.doImageSplitting() : doImageSplitting,
                maxPixelsTolerance, doRescale, rescaleFactor, doNormalize, imageMean, imageStd, maxNumPatches, resample);
    }

    /** Patches each tile is padded to for these settings (upstream's per-call {@code max_num_patches}). */
    public int effectiveMaxPatches() {
        int thumbnailPatches = maxImageTokens * downsampleFactor * downsampleFactor;
        int tilePatches = doImageSplitting ? (tileSize / patchSize) * (tileSize / patchSize) : 0;
        return Math.max(thumbnailPatches, tilePatches);
    }

    /** Values per patch: 3 channels * patch^2. */
    public int patchValues() {
        return 3 * patchSize * patchSize;
    }

    private static int integer(JsonNode n, String key, int fallback) {
        JsonNode v = n.get(key);
        return v != null && v.isNumber() ? v.intValue() : fallback;
    }

    private static double number(JsonNode n, String key, double fallback) {
        JsonNode v = n.get(key);
        return v != null && v.isNumber() ? v.doubleValue() : fallback;
    }

    private static boolean bool(JsonNode n, String key, boolean fallback) {
        JsonNode v = n.get(key);
        return v != null && v.isBoolean() ? v.booleanValue() : fallback;
    }

    private static List<Double> channels(JsonNode n, String key, List<Double> fallback) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (v.isNumber()) {
            return List.of(v.doubleValue(), v.doubleValue(), v.doubleValue());
        }
        if (v.isArray() && v.size() == 3) {
            return List.of(v.get(0).doubleValue(), v.get(1).doubleValue(), v.get(2).doubleValue());
        }
        throw new IllegalArgumentException(key + " must be a number or 3 numbers, got " + v);
    }
}
