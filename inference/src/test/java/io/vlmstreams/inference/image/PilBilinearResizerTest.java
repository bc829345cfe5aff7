package io.vlmstreams.inference.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.vlmstreams.inference.io.Npy;
import io.vlmstreams.inference.io.NpyArray;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Bit-exactness with Pillow's BILINEAR resize (reference made by src/test/resources/image/make_pil_bilinear.py). */
class PilBilinearResizerTest {

    @Test
    void pillowModeEqualsPillowForShrinkEnlargeAndMixedSizes() throws Exception {
        Map<String, NpyArray> ref = Npy.readNpz(Path.of(getClass().getResource("/image/pil-bilinear.npz").toURI()));
        NpyArray src = ref.get("src");
        DecodedImage in = new DecodedImage((int) src.shape()[1], (int) src.shape()[0], src.asBytes());
        int checked = 0;
        for (Map.Entry<String, NpyArray> e : ref.entrySet()) {
            if (!e.getKey().startsWith("out_")) {
                continue;
            }
            long[] shape = e.getValue().shape();
            DecodedImage out = PilBilinearResizer.resize(in, (int) shape[1], (int) shape[0], PilBilinearResizer.FixedPoint.PILLOW);
            assertThat(out.width()).isEqualTo(shape[1]);
            assertThat(out.height()).isEqualTo(shape[0]);
            assertThat(out.rgb()).as(e.getKey()).isEqualTo(e.getValue().asBytes());

            // PyTorch's int16 weights land within one level of Pillow's.
            DecodedImage torch = PilBilinearResizer.resize(in, (int) shape[1], (int) shape[0], PilBilinearResizer.FixedPoint.TORCH_INT16);
            for (int i = 0; i < out.rgb().length; i++) {
                assertThat(Math.abs((out.rgb()[i] & 0xFF) - (torch.rgb()[i] & 0xFF))).isLessThanOrEqualTo(1);
            }
            checked++;
        }
        assertThat(checked).isEqualTo(9);
    }

    /** The streaming, unrolled passes against the plain two-pass loops, for enlargements and reductions of every window width. */
    @Test
    void streamingPassesEqualThePlainAlgorithm() {
        java.util.Random random = new java.util.Random(11);
        byte[] rgb = new byte[53 * 41 * 3];
        random.nextBytes(rgb);
        DecodedImage in = new DecodedImage(53, 41, rgb);
        int[][] sizes = {{60, 47}, {106, 82}, {50, 40}, {40, 30}, {27, 21}, {13, 9}, {53, 30}, {70, 41}, {1, 1}, {53, 100}};
        for (PilBilinearResizer.FixedPoint fp : PilBilinearResizer.FixedPoint.values()) {
            for (int[] size : sizes) {
                assertThat(PilBilinearResizer.resize(in, size[0], size[1], fp).rgb())
                        .as("%dx%d %s", size[0], size[1], fp).isEqualTo(plain(in, size[0], size[1], fp));
            }
        }
    }

    /** Pillow's ImagingResample: horizontal pass over all rows, then vertical, each rounding and clipping. */
    private static byte[] plain(DecodedImage in, int outW, int outH, PilBilinearResizer.FixedPoint fp) {
        int w = in.width();
        int h = in.height();
        int[] cur = new int[w * h * 3];
        for (int i = 0; i < cur.length; i++) {
            cur[i] = in.rgb()[i] & 0xFF;
        }
        if (outW != w) {
            PilBilinearResizer.Coefficients c = PilBilinearResizer.Coefficients.of(w, outW, fp);
            int[] next = new int[outW * h * 3];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < outW; x++) {
                    for (int ch = 0; ch < 3; ch++) {
                        int sum = 1 << (c.precision - 1);
                        for (int k = 0; k < c.bounds[x * 2 + 1]; k++) {
                            sum += cur[(y * w + c.bounds[x * 2] + k) * 3 + ch] * c.kk[x * c.ksize + k];
                        }
                        next[(y * outW + x) * 3 + ch] = Math.max(0, Math.min(255, sum >> c.precision));
                    }
                }
            }
            cur = next;
            w = outW;
        }
        if (outH != h) {
            PilBilinearResizer.Coefficients c = PilBilinearResizer.Coefficients.of(h, outH, fp);
            int[] next = new int[w * outH * 3];
            for (int y = 0; y < outH; y++) {
                for (int i = 0; i < w * 3; i++) {
                    int sum = 1 << (c.precision - 1);
                    for (int k = 0; k < c.bounds[y * 2 + 1]; k++) {
                        sum += cur[(c.bounds[y * 2] + k) * w * 3 + i] * c.kk[y * c.ksize + k];
                    }
                    next[y * w * 3 + i] = Math.max(0, Math.min(255, sum >> c.precision));
                }
            }
            cur = next;
        }
        byte[] out = new byte[cur.length];
        for (int i = 0; i < cur.length; i++) {
            out[i] = (byte) cur[i];
        }
        return out;
    }

    @Test
    void sameSizeIsIdentity() {
        DecodedImage in = new DecodedImage(2, 1, new byte[] {1, 2, 3, 4, 5, 6});
        assertThat(PilBilinearResizer.resize(in, 2, 1)).isSameAs(in);
    }

    @Test
    void torchPrecisionKeepsTheLargestWeightInInt16() {
        assertThat(PilBilinearResizer.Coefficients.torchPrecision(1.0)).isEqualTo(14);
        assertThat(PilBilinearResizer.Coefficients.torchPrecision(0.5)).isEqualTo(15);
        assertThat(PilBilinearResizer.Coefficients.torchPrecision(0.001)).isEqualTo(22);
    }
}
