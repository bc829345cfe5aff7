package io.vlmstreams.convert.precision;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The packing MatMulNBits reads, on blocks worked out by hand: B's column k-values (-16 .. 15) / 8,
 * a block whose largest magnitude is the minimum, -2.
 */
class BlockQuantizerTest {

    /** B [32, 1]: one block, w[k] = (k - 16) / 8. */
    private static float[] ramp() {
        float[] w = new float[32];
        for (int k = 0; k < 32; k++) {
            w[k] = (k - 16) / 8f;
        }
        return w;
    }

    @Test
    void fourBitBlockByHand() {
        // peak -2 -> scale = 2 / 8 = 0.25; level = round(w / 0.25) + 8 = round(k / 2), halves up: 0,1,1,2,2,3,...
        BlockQuantized q = BlockQuantizer.fromRows(ramp(), 32, 1, 4, 32);
        assertThat(q.scales()).containsExactly(0.25f);
        assertThat(q.data()).hasSize(16);
        // byte j holds rows 2j (low nibble) and 2j+1 (high nibble): levels j and j+1 (2j+1 is a half, rounded up)
        for (int j = 0; j < 16; j++) {
            int low = j;
            int high = Math.min(j + 1, 15); // row 31: 15 / 2 + 8 = 15.5 -> 16, clamped to 15
            assertThat(q.data()[j] & 0xff).as("byte %d", j).isEqualTo(low | high << 4);
        }
        assertThat(q.data()[0]).isEqualTo((byte) 0x10);
        assertThat(q.data()[7]).isEqualTo((byte) 0x87);
        for (int k = 0; k < 32; k++) {
            float w = (k - 16) / 8f;
            // within half a step (0.125) of w; the last row is the clamped one, a full step away
            float expected = k == 31 ? 1.75f : k % 2 == 0 ? w : w + 0.125f;
            assertThat(q.dequantize(k, 0)).as("row %d", k).isEqualTo(expected);
            assertThat(Math.abs(q.dequantize(k, 0) - w)).isLessThanOrEqualTo(k == 31 ? 0.25f : 0.125f);
        }
    }

    @Test
    void eightBitBlockByHand() {
        // peak -2 -> scale = 2 / 128 = 1/64; level = w * 64 + 128 = 8k: exact, one byte per row
        BlockQuantized q = BlockQuantizer.fromRows(ramp(), 32, 1, 8, 32);
        assertThat(q.scales()).containsExactly(1f / 64);
        for (int k = 0; k < 32; k++) {
            assertThat(q.data()[k] & 0xff).isEqualTo(8 * k);
            assertThat(q.dequantize(k, 0)).isEqualTo((k - 16) / 8f);
        }
    }

    @Test
    void columnsAreContiguousAndAShortLastBlockIsZeroPadded() {
        // B [40, 2]: column 0 alternates 0.5, -0.25; column 1 is -1 everywhere; 2 blocks of 32 rows, the second holds 8
        int k = 40;
        float[] b = new float[k * 2];
        for (int r = 0; r < k; r++) {
            b[r * 2] = r % 2 == 0 ? 0.5f : -0.25f;
            b[r * 2 + 1] = -1f;
        }
        BlockQuantized q = BlockQuantizer.fromRows(b, k, 2, 4, 32);
        assertThat(q.blocksPerColumn()).isEqualTo(2);
        assertThat(q.data()).hasSize(2 * 2 * 16);
        // column 0: peak 0.5 -> scale -1/16: 0.5 -> level 0, -0.25 -> 4 + 8 = 12, so every byte 0xC0;
        // column 1: peak -1 -> scale 1/8: -1 -> level 0
        assertThat(q.scales()).containsExactly(-0.0625f, -0.0625f, 0.125f, 0.125f);
        for (int i = 0; i < 16; i++) {
            assertThat(q.data()[i]).as("column 0, block 0, byte %d", i).isEqualTo((byte) 0xC0);
            // the second block has rows 32..39 in bytes 0..3; the 24 rows it lacks stay zero
            assertThat(q.data()[16 + i]).as("column 0, block 1, byte %d", i).isEqualTo(i < 4 ? (byte) 0xC0 : (byte) 0);
            assertThat(q.data()[32 + i]).isZero();
            assertThat(q.data()[48 + i]).isZero();
        }
        for (int r = 0; r < k; r++) {
            assertThat(q.dequantize(r, 0)).isEqualTo(b[r * 2]);
            assertThat(q.dequantize(r, 1)).isEqualTo(-1f);
        }
        // transposed storage ([N, K], as a Gemm's transB table) packs to the same bytes
        float[] columns = new float[k * 2];
        for (int r = 0; r < k; r++) {
            columns[r] = b[r * 2];
            columns[k + r] = b[r * 2 + 1];
        }
        BlockQuantized t = BlockQuantizer.fromColumns(columns, k, 2, 4, 32);
        assertThat(t.data()).containsExactly(q.data());
        assertThat(t.scales()).containsExactly(q.scales());
    }

    @Test
    void randomWeightsDequantizeWithinHalfAStepExceptTheClampedSide() {
        SplittableRandom random = new SplittableRandom(7);
        int k = 96;
        int n = 5;
        float[] b = new float[k * n];
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) (random.nextGaussian() * 0.2);
        }
        for (int bits : new int[] {4, 8}) {
            BlockQuantized q = BlockQuantizer.fromRows(b, k, n, bits, 32);
            int half = 1 << (bits - 1);
            int clamped = 0;
            for (int r = 0; r < k; r++) {
                for (int c = 0; c < n; c++) {
                    float w = b[r * n + c];
                    float step = Math.abs(q.scale(r, c));
                    float err = Math.abs(q.dequantize(r, c) - w);
                    // levels reach half steps below the zero point on the peak's side, half - 1 on the other
                    if (Math.abs(w) > (half - 0.5f) * step) {
                        clamped++;
                        assertThat(err).isLessThanOrEqualTo(step * 1.0001f);
                    } else {
                        assertThat(err).as("%d-bit B[%d][%d]", bits, r, c).isLessThanOrEqualTo(step * 0.5001f);
                    }
                }
            }
            assertThat(clamped).isLessThan(k * n / 10);
        }
    }

    @Test
    void aBlockOfZerosHasScaleZeroAndDequantizesToZero() {
        BlockQuantized q = BlockQuantizer.fromRows(new float[32], 32, 1, 4, 32);
        assertThat(q.scales()).containsExactly(-0f);
        assertThat(q.data()[0] & 0xff).isEqualTo(0x88);
        assertThat(q.dequantize(5, 0)).isZero();
    }

    @Test
    void rejectsWhatTheKernelCannotRead() {
        assertThatThrownBy(() -> BlockQuantizer.fromRows(new float[32], 32, 1, 3, 32)).hasMessageContaining("4 or 8");
        assertThatThrownBy(() -> BlockQuantizer.fromRows(new float[32], 32, 1, 4, 24)).hasMessageContaining("power of 2");
        assertThatThrownBy(() -> BlockQuantizer.fromRows(new float[31], 32, 1, 4, 32)).hasMessageContaining("do not fit");
    }

    @Test
    void perTensorEightBitsAsOnnxRuntimeComputesThem() {
        float[] w = {-1f, 0f, 0.5f, 3f};
        // uint8: range [-1, 3] -> scale 4/255, zero point round(255/4) = 64
        TensorQuantized u = TensorQuantizer.uint8(w);
        assertThat(u.scale()).isEqualTo((float) (4.0 / 255));
        assertThat(u.zeroPoint()).isEqualTo(64);
        assertThat(u.level(0)).isEqualTo(0);
        assertThat(u.level(1)).isEqualTo(64);
        assertThat(u.level(3)).isEqualTo(255);
        // int8: symmetric over [-3, 3] -> scale 3/127, zero point 0
        TensorQuantized s = TensorQuantizer.int8(w);
        assertThat(s.scale()).isEqualTo((float) (6.0 / 254));
        assertThat(s.zeroPoint()).isZero();
        assertThat(s.level(0)).isEqualTo(-42); // -1 * 127 / 3 = -42.33
        assertThat(s.level(3)).isEqualTo(127);
        for (int i = 0; i < w.length; i++) {
            assertThat(Math.abs(u.dequantize(i) - w[i])).isLessThanOrEqualTo(u.scale() / 2 + 1e-6f);
            assertThat(Math.abs(s.dequantize(i) - w[i])).isLessThanOrEqualTo(s.scale() / 2 + 1e-6f);
        }
    }
}
