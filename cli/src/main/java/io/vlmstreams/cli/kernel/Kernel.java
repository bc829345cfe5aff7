package io.vlmstreams.cli.kernel;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.vlmstreams.convert.Float16Weights;
import io.vlmstreams.convert.precision.Float16Io;
import io.vlmstreams.convert.precision.MatMulIntegerPass;
import io.vlmstreams.convert.precision.MatMulNBitsPass;

import java.util.Locale;

/**
 * The precision kernel one weight MatMul of a graph runs in, and how the converter's own passes
 * (the recipe {@code Toolchain} uses) turn a float32 MatMul into it, so a baseline graph runs the
 * same ONNX Runtime kernel as the stage it is compared with.
 *
 * @param op             {@code MatMul} (also a Gemm: the same sgemm), {@code MatMulInteger} or {@code MatMulNBits}
 * @param weightType     B's stored type: float32, float16, int8, uint8, or q4/q8 for MatMulNBits
 * @param bits           MatMulNBits bits (0 otherwise)
 * @param blockSize      MatMulNBits block size (0 otherwise)
 * @param accuracyLevel  MatMulNBits accuracy_level (0 when the node leaves it out)
 * @param fp16Activations the graph computes in float16 (Liquid AI's fp16 form), not only stores float16 weights
 */
public record Kernel(String op, String weightType, int bits, int blockSize, int accuracyLevel, boolean fp16Activations) {

    public static final String MATMUL = "MatMul";
    public static final String MATMUL_INTEGER = "MatMulInteger";
    public static final String MATMUL_NBITS = "MatMulNBits";

    /** Float32 MatMul with float32 weights. */
    public static Kernel fp32() {
        return new Kernel(MATMUL, "float32", 0, 0, 0, false);
    }

    /** E.g. {@code MatMulNBits q4 acc4}, {@code MatMulInteger uint8}, {@code MatMul fp16}. */
    public String label() {
        String compute = fp16Activations ? " fp16" : "";
        return switch (op) {
            case MATMUL_NBITS -> String.format(Locale.ROOT, "%s q%d b%d acc%d%s", op, bits, blockSize, accuracyLevel, compute);
            case MATMUL_INTEGER -> op + " " + weightType + compute;
            default -> fp16Activations ? op + " fp16" : weightType.equals("float16") ? op + " fp32 (fp16 weights)" : op + " fp32";
        };
    }

    /**
     * {@code fp32} (a graph of float32 MatMuls with inline weights, input {@code A} and output {@code Y})
     * in this kernel's form: the converter's MatMulInteger or MatMulNBits pass with this node's
     * parameters, then its float16 conversion where the graph stores or computes in float16
     * ({@code A} and {@code Y} stay float32 behind Casts, so callers feed float32 either way).
     */
    public ModelProto apply(ModelProto fp32) {
        ModelProto m = switch (op) {
            case MATMUL_NBITS -> new MatMulNBitsPass(bits, blockSize, accuracyLevel, w -> false).apply(fp32);
            case MATMUL_INTEGER -> new MatMulIntegerPass(weightType.equals("int8") ? MatMulIntegerPass.WeightType.INT8
                    : MatMulIntegerPass.WeightType.UINT8, w -> false).apply(fp32);
            default -> fp32;
        };
        if (fp16Activations) {
            return Float16Weights.convert(m, Float16Io.full("A", "Y"));
        }
        if (op.equals(MATMUL) && weightType.equals("float16")) {
            return Float16Weights.convert(m, Float16Io.KEEP_FLOAT32);
        }
        return m;
    }
}
