package io.vlmstreams.convert.precision;

/**
 * The weight B [K, N] of a MatMul as {@code com.microsoft.MatMulNBits} takes it: each column of B
 * cut into blocks of {@code blockSize} rows; {@code data} is [N, blocks, blockSize * bits / 8]
 * bytes (for 4 bits the even row of a pair in the low nibble), {@code scales} is [N * blocks]
 * (column-major, one per block), and every block's zero point is the kernel's default
 * 2^(bits-1), so no zero-point input is needed. The rows a short last block lacks are zero bytes.
 */
public record BlockQuantized(int bits, int blockSize, int k, int n, byte[] data, float[] scales) {

    public BlockQuantized {
        if (bits != 4 && bits != 8) {
            throw new IllegalArgumentException("bits must be 4 or 8: " + bits);
        }
        int blocks = Math.floorDiv(k + blockSize - 1, blockSize);
        if ((long) n * blocks * blockSize * bits / 8 != data.length || (long) n * blocks != scales.length) {
            throw new IllegalArgumentException("data or scales do not fit K=" + k + ", N=" + n + ", block " + blockSize);
        }
    }

    /** Blocks per column: ceil(K / blockSize). */
    public int blocksPerColumn() {
        return (k + blockSize - 1) / blockSize;
    }

    /** Bytes per block. */
    public int blobSize() {
        return blockSize * bits / 8;
    }

    /** The zero point of every block (MatMulNBits' default when no zero points are given). */
    public int zeroPoint() {
        return 1 << (bits - 1);
    }

    /** The stored level (0 .. 2^bits - 1) of B[row][col]. */
    public int level(int row, int col) {
        int blob = blobSize();
        int offset = col * blocksPerColumn() * blob + (row / blockSize) * blob;
        int inBlock = row % blockSize;
        if (bits == 8) {
            return data[offset + inBlock] & 0xff;
        }
        int b = data[offset + inBlock / 2] & 0xff;
        return (inBlock % 2 == 0) ? b & 0x0f : b >>> 4;
    }

    /** The scale of the block holding B[row][col]. */
    public float scale(int row, int col) {
        return scales[col * blocksPerColumn() + row / blockSize];
    }

    /** What the kernel computes for B[row][col]: (level - zero point) * scale. */
    public float dequantize(int row, int col) {
        return (level(row, col) - zeroPoint()) * scale(row, col);
    }
}
