package io.vlmstreams.convert.precision;

import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;

/**
 * A node computing A x B with B a constant float32 matrix [K, N]: a {@code MatMul} whose second
 * input is an initializer, or a {@code Gemm} without bias, alpha 1 and A not transposed (with
 * {@code transposed}, its initializer is stored as [N, K], as a tied embedding table used as the
 * LM head is). These are the nodes the quantization passes rewrite.
 *
 * @param index       position of the node in the graph
 * @param outputReached the graph output its result becomes through shape-only ops (Reshape,
 *                    Identity, ...), or null: {@code logits} marks the LM head
 */
public record WeightMatMul(int index, NodeProto node, TensorProto weight, boolean transposed, int k, int n,
                           String outputReached) {

    /** The activation input A. */
    public String input() {
        return node.getInput(0);
    }

    /** The result's name. */
    public String output() {
        return node.getOutput(0);
    }

    /** The initializer's name. */
    public String weightName() {
        return weight.getName();
    }

    /**
     * The stem of the names of B's quantized initializers: the weight's name, plus {@code _T} for a
     * transposed one (a Gemm's [N, K] table and a MatMul's [K, N] matrix of one name pack differently).
     */
    public String quantizedStem() {
        return weight.getName() + (transposed ? "_T" : "");
    }

    /** B as stored: [K, N] for a MatMul, [N, K] when {@link #transposed()}. */
    public float[] stored() {
        return Tensors.floatArray(weight);
    }

    /** B quantized for MatMulNBits, which wants it column by column, as the [N, K] storage already is. */
    public BlockQuantized blockQuantized(int bits, int blockSize) {
        return transposed ? BlockQuantizer.fromColumns(stored(), k, n, bits, blockSize)
                : BlockQuantizer.fromRows(stored(), k, n, bits, blockSize);
    }
}
