package io.vlmstreams.convert.precision;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;

import java.util.function.UnaryOperator;

/**
 * Sets {@code accuracy_level} on every {@code com.microsoft.MatMulNBits} node, whatever the toolchain
 * wrote: 0 leaves the choice to ONNX Runtime (float activations, as transformers.js's quantizer
 * writes it), 4 makes the CPU kernel quantize activations to int8 per block and accumulate in int32
 * (as Liquid AI's builder writes it; several times faster on AVX2/AVX-512 CPUs at batch 1). Graphs
 * without MatMulNBits are returned unchanged.
 */
public record AccuracyLevel(int level) implements UnaryOperator<ModelProto> {

    private static final String ATTRIBUTE = "accuracy_level";

    public AccuracyLevel {
        if (level < 0 || level > 4) {
            throw new IllegalArgumentException("accuracy level must be 0..4: " + level);
        }
    }

    @Override
    public ModelProto apply(ModelProto model) {
        GraphProto.Builder graph = model.getGraph().toBuilder();
        boolean changed = false;
        for (int i = 0; i < graph.getNodeCount(); i++) {
            NodeProto node = graph.getNode(i);
            if (!node.getOpType().equals("MatMulNBits") || !GraphEdit.MICROSOFT.equals(node.getDomain())) {
                continue;
            }
            NodeProto.Builder b = node.toBuilder().clearAttribute();
            for (AttributeProto a : node.getAttributeList()) {
                if (!a.getName().equals(ATTRIBUTE)) {
                    b.addAttribute(a);
                }
            }
            if (level > 0) {
                b.addAttribute(AttributeProto.newBuilder().setName(ATTRIBUTE).setType(AttributeProto.AttributeType.INT).setI(level));
            }
            graph.setNode(i, b);
            changed = true;
        }
        return changed ? model.toBuilder().setGraph(graph).build() : model;
    }
}
