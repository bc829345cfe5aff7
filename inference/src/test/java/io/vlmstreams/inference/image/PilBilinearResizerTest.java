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
