package io.vlmstreams.inference.image;

/**
 * One preprocessed image, ready for the vision encoder.
 *
 * @param tiles              number of tiles (grid tiles, then the thumbnail)
 * @param maxPatches         patches per tile after padding
 * @param pixelValues        [tiles, maxPatches, 3 * patch^2] row-major; padding patches are zeros
 * @param pixelAttentionMask [tiles, maxPatches]: 1 for real patches, 0 for padding
 * @param spatialShapes      [tiles, 2]: patch rows, patch cols of each tile
 * @param layout             the tiling, for prompt expansion
 */
public record ProcessedImage(int tiles, int maxPatches, float[] pixelValues, long[] pixelAttentionMask,
                             long[] spatialShapes, TileLayout layout) {

    public ProcessedImage {
        if (pixelAttentionMask.length != (long) tiles * maxPatches || spatialShapes.length != tiles * 2L
                || pixelValues.length % ((long) tiles * maxPatches) != 0) {
            throw new IllegalArgumentException("tensor sizes do not match " + tiles + " tiles of " + maxPatches + " patches");
        }
    }

    /** Values per patch (768 for 16-pixel RGB patches). */
    public int patchValues() {
        return pixelValues.length / (tiles * maxPatches);
    }

    /** Real (unpadded) patches of tile {@code t}. */
    public int validPatches(int t) {
        return (int) (spatialShapes[t * 2] * spatialShapes[t * 2 + 1]);
    }

    /** The same image padded (or trimmed of padding) to {@code patches} per tile, e.g. to batch it with others. */
    public ProcessedImage withMaxPatches(int patches) {
        if (patches == maxPatches) {
            return this;
        }
        int pv = patchValues();
        float[] values = new float[tiles * patches * pv];
        long[] mask = new long[tiles * patches];
        for (int t = 0; t < tiles; t++) {
            int valid = validPatches(t);
            if (valid > patches) {
                throw new IllegalArgumentException("tile " + t + " has " + valid + " patches, more than " + patches);
            }
            System.arraycopy(pixelValues, t * maxPatches * pv, values, t * patches * pv, valid * pv);
            System.arraycopy(pixelAttentionMask, t * maxPatches, mask, t * patches, valid);
        }
        return new ProcessedImage(tiles, patches, values, mask, spatialShapes, layout);
    }
}
