package io.vlmstreams.inference.image;

import java.util.Arrays;

/**
 * Cuts rows of 8-bit RGB levels into encoder patches, each patch's values ordered (dy, dx,
 * channel), normalizing levels through a per-channel lookup table.
 */
final class Patchifier {

    private final int patch;
    private final float[][] lut; // [channel][level]
    private final float[] shared; // the one table when all channels share it, else null

    Patchifier(int patch, float[][] lut) {
        this.patch = patch;
        this.lut = lut;
        // LFM2-VL normalizes every channel alike (mean = std = 0.5), which allows the simpler loop.
        this.shared = Arrays.equals(lut[0], lut[1]) && Arrays.equals(lut[0], lut[2]) ? lut[0] : null;
    }

    /**
     * Writes {@code patches} patches side by side, the first one's left edge at pixel column
     * {@code x0} of {@code band} (one patch high: {@code patch} rows of levels, {@code width * 3}
     * ints each), to {@code out} from {@code offset}, one after the other.
     */
    void writeBand(int[][] band, int x0, int patches, float[] out, int offset) {
        if (shared != null) {
            writeBandShared(band, x0, patches, out, offset);
            return;
        }
        float[] r = lut[0];
        float[] g = lut[1];
        float[] b = lut[2];
        int o = offset;
        for (int px = 0; px < patches; px++) {
            int s0 = (x0 + px * patch) * 3;
            for (int dy = 0; dy < patch; dy++) {
                int[] src = band[dy];
                for (int dx = 0, s = s0; dx < patch; dx++, s += 3) {
                    out[o++] = r[src[s]];
                    out[o++] = g[src[s + 1]];
                    out[o++] = b[src[s + 2]];
                }
            }
        }
    }

    /** {@link #writeBand} when every channel has the same table: a patch row is one run of {@code 3 * patch} values. */
    private void writeBandShared(int[][] band, int x0, int patches, float[] out, int offset) {
        float[] t = shared;
        int run = patch * 3;
        int o = offset;
        for (int px = 0; px < patches; px++) {
            int s0 = (x0 + px * patch) * 3;
            for (int dy = 0; dy < patch; dy++, o += run) {
                int[] src = band[dy];
                for (int i = 0; i < run; i++) {
                    out[o + i] = t[src[s0 + i]];
                }
            }
        }
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
