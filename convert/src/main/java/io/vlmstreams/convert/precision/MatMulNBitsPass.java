package io.vlmstreams.convert.precision;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Rewrites every {@link WeightMatMul} not kept float as {@code com.microsoft.MatMulNBits}: B
 * block-quantized ({@link BlockQuantizer}, symmetric, so no zero points) into
 * {@code <B>_Q<bits>} uint8 [N, blocks, blob] and {@code <B>_scales} float32 [N * blocks], with
 * attributes K, N, bits, block_size and, when above 0, accuracy_level (4: the CPU kernel quantizes
 * A to int8 per block and accumulates in int32). The names follow ONNX Runtime's
 * {@code matmul_nbits_quantizer.py}; a weight shared by several nodes is quantized once.
 *
 * @param keepFloat nodes to leave as they are (for example the LM head)
 */
public record MatMulNBitsPass(int bits, int blockSize, int accuracyLevel, Predicate<WeightMatMul> keepFloat)
        implements UnaryOperator<ModelProto> {

    public MatMulNBitsPass {
        if (bits != 4 && bits != 8) {
            throw new IllegalArgumentException("MatMulNBits bits must be 4 or 8: " + bits);
        }
        if (accuracyLevel < 0 || accuracyLevel > 4) {
            throw new IllegalArgumentException("accuracy_level must be 0..4: " + accuracyLevel);
        }
    }

    @Override
    public ModelProto apply(ModelProto model) {
        GraphEdit edit = new GraphEdit(model.getGraph());
        Set<String> quantized = new HashSet<>();
        for (WeightMatMul m : WeightMatMuls.find(model.getGraph())) {
            if (keepFloat.test(m)) {
                continue;
            }
            String base = m.quantizedStem();
            String packed = base + "_Q" + bits;
            String scales = base + "_scales";
            if (quantized.add(packed)) {
                BlockQuantized q = m.blockQuantized(bits, blockSize);
                edit.addInitializer(Tensors.byteTensor(packed, TensorProto.DataType.UINT8_VALUE, q.data(),
                        q.n(), q.blocksPerColumn(), q.blobSize()));
                edit.addInitializer(Tensors.floatTensor(scales, q.scales(), q.scales().length));
            }
            Map<String, Long> attributes = new LinkedHashMap<>();
            attributes.put("K", (long) m.k());
            attributes.put("N", (long) m.n());
            attributes.put("bits", (long) bits);
            attributes.put("block_size", (long) blockSize);
            if (accuracyLevel > 0) {
                attributes.put("accuracy_level", (long) accuracyLevel);
            }
            edit.replace(m.index(), List.of(GraphEdit.node("MatMulNBits", GraphEdit.MICROSOFT,
                    m.node().getName() + "_Q" + bits, List.of(m.input(), packed, scales), List.of(m.output()), attributes)));
        }
        if (edit.isEmpty()) {
            return model;
        }
        return GraphEdit.withOpset(model.toBuilder().setGraph(edit.build()).build(), GraphEdit.MICROSOFT, 1);
    }
}
