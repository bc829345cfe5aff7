package io.vlmstreams.inference.image;

/**
 * Cuts a region of an 8-bit RGB raster into encoder patches in row-major patch order, each patch's
 * values ordered (dy, dx, channel), normalizing levels through a per-channel lookup table.
 */
final class Patchifier {

    private final int patch;
    private final float[][] lut; // [channel][level]

    Patchifier(int patch, float[][] lut) {
        this.patch = patch;
        this.lut = lut;
    }

    /**
     * Writes the patches of the {@code w x h} region at ({@code x0}, {@code y0}) of {@code image} to
     * {@code out} from {@code offset}; returns the number of patches written (rows * cols, the
     * region's sides floored to whole patches).
     */
    int write(DecodedImage image, int x0, int y0, int w, int h, float[] out, int offset) {
        int rows = h / patch;
        int cols = w / patch;
        byte[] src = image.rgb();
        int stride = image.width() * 3;
        float[] r = lut[0];
        float[] g = lut[1];
        float[] b = lut[2];
        int o = offset;
        for (int py = 0; py < rows; py++) {
            for (int px = 0; px < cols; px++) {
                int base = (y0 + py * patch) * stride + (x0 + px * patch) * 3;
                for (int dy = 0; dy < patch; dy++) {
                    int s = base + dy * stride;
                    for (int dx = 0; dx < patch; dx++, s += 3) {
                        out[o++] = r[src[s] & 0xFF];
                        out[o++] = g[src[s + 1] & 0xFF];
                        out[o++] = b[src[s + 2] & 0xFF];
                    }
                }
            }
        }
        return rows * cols;
    }

    /**
     * Upstream's fused rescale + normalize in float32: mean and std are divided by the rescale
     * factor (mean * (1 / factor) in float32), then (level - mean') / std'.
     */
    static float[][] normalizationTable(ImageProcessorConfig c) {
        float[][] lut = new float[3][256];
        for (int ch = 0; ch < 3; ch++) {
            float inv = (float) (1.0 / c.rescaleFactor());
            float mean = (float) (double) c.imageMean().get(ch);
            float std = (float) (double) c.imageStd().get(ch);
            for (int level = 0; level < 256; level++) {
                float v = level;
                if (c.doRescale() && c.doNormalize()) {
                    v = (v - mean * inv) / (std * inv);
                } else if (c.doRescale()) {
                    v = v * (float) c.rescaleFactor();
                } else if (c.doNormalize()) {
                    v = (v - mean) / std;
                }
                lut[ch][level] = v;
            }
        }
        return lut;
    }
}
