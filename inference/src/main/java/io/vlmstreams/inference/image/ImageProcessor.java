package io.vlmstreams.inference.image;

import java.util.Objects;

/**
 * LFM2-VL image preprocessing, equal to upstream transformers' {@code Lfm2VlImageProcessor}:
 * smart resize or tiling, Pillow-exact bilinear resampling of the 8-bit image, normalization,
 * patches padded to the per-request maximum. Thread-safe and stateless apart from its config.
 */
public final class ImageProcessor {

    private final ImageProcessorConfig config;
    private final PilBilinearResizer.FixedPoint fixedPoint;
    private final Patchifier patchifier;

    /** Resamples like upstream transformers 5.x does (PyTorch's int16 fixed point). */
    public ImageProcessor(ImageProcessorConfig config) {
        this(config, PilBilinearResizer.FixedPoint.TORCH_INT16);
    }

    /** Resamples with the given fixed point ({@code PILLOW} reproduces transformers' older PIL-based processor). */
    public ImageProcessor(ImageProcessorConfig config, PilBilinearResizer.FixedPoint fixedPoint) {
        this.config = Objects.requireNonNull(config, "config");
        this.fixedPoint = Objects.requireNonNull(fixedPoint, "fixedPoint");
        this.patchifier = new Patchifier(config.patchSize(), Patchifier.normalizationTable(config));
    }

    public ImageProcessorConfig config() {
        return config;
    }

    /** Preprocesses with the configured settings. */
    public ProcessedImage process(DecodedImage image) {
        return process(image, ImageSettings.NONE);
    }

    /** Preprocesses with per-request overrides. */
    public ProcessedImage process(DecodedImage image, ImageSettings settings) {
        ImageProcessorConfig c = config.with(settings);
        TileLayout layout = layout(image.width(), image.height(), c);
        int maxPatches = c.effectiveMaxPatches();
        int pv = c.patchValues();
        int tiles = layout.tiles();
        float[] values = new float[tiles * maxPatches * pv];
        long[] mask = new long[tiles * maxPatches];
        long[] shapes = new long[tiles * 2];
        int t = 0;
        if (layout.tiled()) {
            int tile = c.tileSize();
            DecodedImage grid = PilBilinearResizer.resize(image, layout.cols() * tile, layout.rows() * tile, fixedPoint);
            for (int r = 0; r < layout.rows(); r++) {
                for (int col = 0; col < layout.cols(); col++, t++) {
                    put(grid, col * tile, r * tile, tile, tile, t, maxPatches, pv, values, mask, shapes);
                }
            }
        }
        if (!layout.tiled() || layout.thumbnail()) {
            DecodedImage whole = PilBilinearResizer.resize(image, layout.width(), layout.height(), fixedPoint);
            put(whole, 0, 0, whole.width(), whole.height(), t, maxPatches, pv, values, mask, shapes);
        }
        return new ProcessedImage(tiles, maxPatches, values, mask, shapes, layout);
    }

    /** The tiling an image of this size gets, without touching pixels (e.g. to count prompt tokens early). */
    public TileLayout layout(int width, int height, ImageSettings settings) {
        return layout(width, height, config.with(settings));
    }

    private static TileLayout layout(int width, int height, ImageProcessorConfig c) {
        int minTiles = c.doImageSplitting() ? c.minTiles() : 1;
        int maxTiles = c.doImageSplitting() ? c.maxTiles() : 1;
        boolean mayTile = !(minTiles == 1 && maxTiles == 1);
        SmartResize.Size single = SmartResize.of(height, width, c.patchSize(), c.downsampleFactor(),
                c.minImageTokens(), c.maxImageTokens());
        boolean large = SmartResize.tooLargeForOneTile(height, width, c.patchSize(), c.downsampleFactor(),
                c.maxImageTokens(), c.maxPixelsTolerance());
        if (large && mayTile) {
            TileGridChooser.Grid g = TileGridChooser.choose(width, height, minTiles, maxTiles, c.tileSize());
            if (g.tiles() == 1) {
                // Upstream cuts one tile_size tile but then counts tokens from the smart-resized size,
                // which disagrees with the features; describe the tile actually produced instead.
                return new TileLayout(1, 1, false, false, c.tileSize(), c.tileSize(),
                        c.tileSize(), c.patchSize(), c.downsampleFactor());
            }
            return new TileLayout(g.rows(), g.cols(), true, c.useThumbnail(), single.height(), single.width(),
                    c.tileSize(), c.patchSize(), c.downsampleFactor());
        }
        return new TileLayout(1, 1, false, false, single.height(), single.width(),
                c.tileSize(), c.patchSize(), c.downsampleFactor());
    }

    private void put(DecodedImage img, int x0, int y0, int w, int h, int t, int maxPatches, int pv,
                     float[] values, long[] mask, long[] shapes) {
        int patches = (h / config.patchSize()) * (w / config.patchSize());
        if (patches > maxPatches) {
            throw new IllegalStateException("tile of " + w + "x" + h + " has " + patches + " patches, more than " + maxPatches);
        }
        int n = patchifier.write(img, x0, y0, w, h, values, t * maxPatches * pv);
        for (int i = 0; i < n; i++) {
            mask[t * maxPatches + i] = 1;
        }
        shapes[t * 2] = h / config.patchSize();
        shapes[t * 2 + 1] = w / config.patchSize();
    }
}
