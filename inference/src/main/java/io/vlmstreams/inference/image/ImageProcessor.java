package io.vlmstreams.inference.image;

import java.util.Arrays;
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
        if (layout.tiled()) {
            int tile = c.tileSize();
            writeTiles(image, layout.cols() * tile, layout.rows() * tile, tile, tile, 0, maxPatches, pv, values, mask, shapes);
        }
        if (!layout.tiled() || layout.thumbnail()) {
            int t = layout.tiled() ? layout.rows() * layout.cols() : 0;
            writeTiles(image, layout.width(), layout.height(), layout.width(), layout.height(), t, maxPatches, pv,
                    values, mask, shapes);
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

    /**
     * Resizes {@code image} to {@code w x h}, cuts that into tiles of {@code tw x th} (row-major,
     * numbered from {@code t0}) and writes each tile's patches, mask and shape. The resized image
     * is never held whole: rows stream from the resizer one patch-high band at a time.
     */
    private void writeTiles(DecodedImage image, int w, int h, int tw, int th, int t0, int maxPatches, int pv,
                            float[] values, long[] mask, long[] shapes) {
        int patch = config.patchSize();
        int gridCols = w / tw;
        int gridRows = h / th;
        int patchRows = th / patch;
        int patchCols = tw / patch;
        if (patchRows * patchCols > maxPatches) {
            throw new IllegalStateException("tile of " + tw + "x" + th + " has " + patchRows * patchCols
                    + " patches, more than " + maxPatches);
        }
        for (int t = t0; t < t0 + gridRows * gridCols; t++) {
            Arrays.fill(mask, t * maxPatches, t * maxPatches + patchRows * patchCols, 1L);
            shapes[t * 2] = patchRows;
            shapes[t * 2 + 1] = patchCols;
        }
        ResizedRows rows = new ResizedRows(image, w, h, fixedPoint);
        int[][] band = new int[patch][w * 3];
        int[] spare = new int[w * 3];
        for (int y = 0; y < gridRows * th; y++) {
            int ly = y % th;
            int py = ly / patch;
            if (py >= patchRows) {
                rows.next(spare); // below the tile's last whole patch row: read past
                continue;
            }
            rows.next(band[ly % patch]);
            if (ly % patch == patch - 1) {
                int gy = y / th;
                for (int gx = 0; gx < gridCols; gx++) {
                    int t = t0 + gy * gridCols + gx;
                    patchifier.writeBand(band, gx * tw, patchCols, values, (t * maxPatches + py * patchCols) * pv);
                }
            }
        }
    }
}
