package io.vlmstreams.convert.precision;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Dynamic 8-bit quantization of every {@link WeightMatMul} not kept float, the graph ONNX
 * Runtime's {@code quantize_dynamic} (IntegerOps, MatMulConstBOnly, per tensor) writes and
 * transformers.js ships as {@code _quantized}: A goes through {@code DynamicQuantizeLinear}
 * (uint8, once per distinct A), B is stored quantized ({@link TensorQuantizer}) as
 * {@code <B>_quantized} [K, N] with scalar {@code <B>_scale} and {@code <B>_zero_point}, then
 * {@code MatMulInteger} -> {@code Cast} to float -> times (A scale x B scale).
 */
public record MatMulIntegerPass(WeightType weightType, Predicate<WeightMatMul> keepFloat)
        implements UnaryOperator<ModelProto> {

    /** How B's levels are stored. */
    public enum WeightType {
        UINT8,
        INT8,
        /**
         * transformers.js {@code q8}: uint8 when the graph has an operator whose quantized form
         * onnxruntime-web lacks for int8 weights or that runs faster with them (Conv,
         * GroupQueryAttention, MultiHeadAttention), int8 otherwise.
         */
        BY_OPERATORS;

        private static final Set<String> UINT8_OPERATORS = Set.of("Conv", "GroupQueryAttention", "MultiHeadAttention");

        boolean signedFor(ModelProto model) {
            return switch (this) {
                case UINT8 -> false;
                case INT8 -> true;
                case BY_OPERATORS -> model.getGraph().getNodeList().stream()
                        .noneMatch(n -> UINT8_OPERATORS.contains(n.getOpType()));
            };
        }
    }

    @Override
    public ModelProto apply(ModelProto model) {
        boolean signed = weightType.signedFor(model);
        GraphEdit edit = new GraphEdit(model.getGraph());
        Set<String> quantizedInputs = new HashSet<>();
        Set<String> quantizedWeights = new HashSet<>();
        for (WeightMatMul m : WeightMatMuls.find(model.getGraph())) {
            if (keepFloat.test(m)) {
                continue;
            }
            List<NodeProto> nodes = new ArrayList<>();
            String a = m.input();
            if (quantizedInputs.add(a)) {
                // the graph is topologically sorted, so the first use of A is the place to quantize it
                nodes.add(GraphEdit.node("DynamicQuantizeLinear", "", a + "_QuantizeLinear", List.of(a),
                        List.of(a + "_quantized", a + "_scale", a + "_zero_point"), Map.of()));
            }
            String w = m.quantizedStem();
            if (quantizedWeights.add(w)) {
                addWeight(edit, m, w, signed);
            }
            String name = m.node().getName();
            String integer = m.output() + "_output_quantized";
            String asFloat = integer + "_cast_output";
            String scales = name + "_quant_scales_mul:0";
            nodes.add(GraphEdit.node("MatMulInteger", "", name + "_quant",
                    List.of(a + "_quantized", w + "_quantized", a + "_zero_point", w + "_zero_point"), List.of(integer), Map.of()));
            nodes.add(GraphEdit.node("Cast", "", integer + "_cast", List.of(integer), List.of(asFloat),
                    Map.of("to", (long) TensorProto.DataType.FLOAT_VALUE)));
            nodes.add(GraphEdit.node("Mul", "", name + "_quant_scales_mul", List.of(a + "_scale", w + "_scale"),
                    List.of(scales), Map.of()));
            nodes.add(GraphEdit.node("Mul", "", name + "_quant_output_scale_mul", List.of(asFloat, scales),
                    List.of(m.output()), Map.of()));
            edit.replace(m.index(), nodes);
        }
        return edit.isEmpty() ? model : model.toBuilder().setGraph(edit.build()).build();
    }

    private static void addWeight(GraphEdit edit, WeightMatMul m, String name, boolean signed) {
        float[] stored = m.stored();
        TensorQuantized q = signed ? TensorQuantizer.int8(stored) : TensorQuantizer.uint8(stored);
        byte[] levels = q.data();
        if (m.transposed()) {
            // MatMulInteger has no transpose: store B itself, [K, N]
            byte[] rows = new byte[levels.length];
            for (int col = 0; col < m.n(); col++) {
                for (int row = 0; row < m.k(); row++) {
                    rows[row * m.n() + col] = levels[col * m.k() + row];
                }
            }
            levels = rows;
        }
        int type = signed ? TensorProto.DataType.INT8_VALUE : TensorProto.DataType.UINT8_VALUE;
        edit.addInitializer(Tensors.byteTensor(name + "_quantized", type, levels, m.k(), m.n()));
        edit.addInitializer(Tensors.floatTensor(name + "_scale", new float[] {q.scale()}));
        edit.addInitializer(Tensors.byteTensor(name + "_zero_point", type, new byte[] {(byte) q.zeroPoint()}));
    }
}
