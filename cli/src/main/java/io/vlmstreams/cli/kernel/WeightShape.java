package io.vlmstreams.cli.kernel;

/**
 * One weight MatMul of a graph: A [rows, k] x B [k, n] in {@code kernel}, and what its rows are.
 * It costs {@code 2 k n} FLOPs per row.
 */
public record WeightShape(String node, Kernel kernel, long k, long n, Rows rows) {

    /** What one row of A is, which decides how many rows a stage feeds it. */
    public enum Rows {
        /** A vision patch (the encoder) or a token (the decoder's body). */
        ITEM,
        /** An image token, after the projector's pixel unshuffle. */
        IMAGE_TOKEN,
        /** The LM head: one row per sequence in a prefill that keeps only the last logits, one per token otherwise. */
        HEAD
    }

    public long flopsPerRow() {
        return 2 * k * n;
    }
}
