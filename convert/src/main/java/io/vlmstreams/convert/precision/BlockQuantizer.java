package io.vlmstreams.convert.precision;

/**
 * Symmetric block-wise quantization of a MatMul weight into {@link BlockQuantized}, computed as
 * ONNX Runtime's own quantizer does it ({@code MlasQuantizeBlockwise}, the C++ behind
 * {@code matmul_nbits_quantizer.py} with {@code is_symmetric}): per block, the value of largest
 * magnitude m maps to level 0 (scale = -m / 2^(bits-1)), every value to
 * clamp(round(v / scale) + 2^(bits-1), 0, 2^bits - 1). So values within the block's range lie
 * within half a step of their dequantized level, except on the side opposite m, whose last step
 * (beyond 2^(bits-1) - 1 levels) is clamped.
 */
public final class BlockQuantizer {

    private BlockQuantizer() {
    }

    /** Quantizes B given row-major as [K, N] (a MatMul's initializer). */
    public static BlockQuantized fromRows(float[] b, int k, int n, int bits, int blockSize) {
        checkSize(b, k, n);
        float[] columns = new float[b.length];
        for (int r = 0; r < k; r++) {
            for (int c = 0; c < n; c++) {
                columns[c * k + r] = b[r * n + c];
            }
        }
        return fromColumns(columns, k, n, bits, blockSize);
    }

    /**
     * Quantizes B given column by column as [N, K] (that is B transposed: a Gemm's {@code transB}
     * weight, such as a tied embedding table used as the LM head).
     */
    public static BlockQuantized fromColumns(float[] columns, int k, int n, int bits, int blockSize) {
        checkSize(columns, k, n);
        if (bits != 4 && bits != 8) {
            throw new IllegalArgumentException("MatMulNBits quantization takes 4 or 8 bits, not " + bits);
        }
        if (blockSize < 16 || Integer.bitCount(blockSize) != 1) {
            throw new IllegalArgumentException("block size must be a power of 2 and at least 16: " + blockSize);
        }
        int blocks = (k + blockSize - 1) / blockSize;
        int blob = blockSize * bits / 8;
        int zeroPoint = 1 << (bits - 1);
        int maxLevel = (1 << bits) - 1;
        byte[] data = new byte[n * blocks * blob];
        float[] scales = new float[n * blocks];
        for (int c = 0; c < n; c++) {
            for (int blk = 0; blk < blocks; blk++) {
                int start = c * k + blk * blockSize;
                int end = c * k + Math.min((blk + 1) * blockSize, k);
                float min = Float.MAX_VALUE;
                float max = -Float.MAX_VALUE;
                for (int i = start; i < end; i++) {
                    min = Math.min(min, columns[i]);
                    max = Math.max(max, columns[i]);
                }
                float peak = Math.abs(max) > Math.abs(min) ? max : min;
                // the minus sign puts the larger-magnitude side on the 2^(bits-1) levels below the zero point
                float scale = -peak / zeroPoint;
                float reciprocal = scale != 0f ? 1f / scale : 0f;
                scales[c * blocks + blk] = scale;
                int offset = (c * blocks + blk) * blob;
                for (int i = start; i < end; i++) {
                    // Math.round is half-up; for the non-negative values that survive the clamp that is C's roundf
                    int level = Math.max(0, Math.min(maxLevel, Math.round(columns[i] * reciprocal + zeroPoint)));
                    int inBlock = i - start;
                    if (bits == 8) {
                        data[offset + inBlock] = (byte) level;
                    } else {
                        data[offset + inBlock / 2] |= (byte) (inBlock % 2 == 0 ? level : level << 4);
                    }
                }
            }
        }
        return new BlockQuantized(bits, blockSize, k, n, data, scales);
    }

    private static void checkSize(float[] values, int k, int n) {
        if (k <= 0 || n <= 0 || (long) k * n != values.length) {
            throw new IllegalArgumentException(values.length + " values do not fit K=" + k + ", N=" + n);
        }
    }
}
