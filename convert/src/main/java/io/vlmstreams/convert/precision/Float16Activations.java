package io.vlmstreams.convert.precision;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The float16 form of a whole graph ({@link Float16Io#activations()}): every float32 initializer,
 * constant, Cast target and declared input, output and value type becomes float16, so every
 * operator computes in float16 (ONNX Runtime's CPU provider casts around the few kernels it only
 * has in float32). Inputs and outputs named in {@link Float16Io#float32Io()} keep float32 behind
 * a Cast. Values are clamped to float16's range ({@link Tensors#toHalf}). Inputs the ONNX schema
 * wants in float32 whatever the data type (Resize scales) stay float32.
 *
 * <p>What is computed from integers in the graph is float16 too: float16 holds integers exactly
 * only up to 2048, so a graph that turns position ids into RoPE angles itself loses exactness
 * beyond that position; graphs meant for this conversion take cos/sin from caches indexed by
 * position (as GroupQueryAttention and RotaryEmbedding do).
 */
public final class Float16Activations {

    /** Appended to the name of a float16 tensor whose float32 form keeps the original name. */
    public static final String SUFFIX = "__fp16";
    private static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;
    private static final int FLOAT16 = TensorProto.DataType.FLOAT16_VALUE;
    /** Inputs whose type the schema fixes to float32: op type -> input index. */
    private static final Map<String, Integer> FLOAT32_INPUT = Map.of("Resize", 2, "Upsample", 1);
    /** Operators whose schema takes float32 only. */
    private static final Set<String> FLOAT32_ONLY = Set.of("DynamicQuantizeLinear");

    private Float16Activations() {
    }

    /** {@code model} in float16 throughout, the interface names in {@code float32Io} kept float32. */
    public static ModelProto convert(ModelProto model, Set<String> float32Io) {
        GraphProto graph = model.getGraph();
        Set<String> keptConstants = float32Constants(graph);

        Map<String, String> renamed = new HashMap<>();
        List<NodeProto> head = new ArrayList<>();
        List<NodeProto> tail = new ArrayList<>();
        GraphProto.Builder out = graph.toBuilder().clearInput().clearOutput().clearValueInfo().clearNode().clearInitializer();
        for (ValueInfoProto in : graph.getInputList()) {
            if (isFloat(in) && float32Io.contains(in.getName())) {
                renamed.put(in.getName(), in.getName() + SUFFIX);
                head.add(cast(in.getName(), in.getName() + SUFFIX, FLOAT16));
                out.addInput(in);
            } else {
                out.addInput(toHalf(in));
            }
        }
        for (ValueInfoProto o : graph.getOutputList()) {
            if (isFloat(o) && float32Io.contains(o.getName())) {
                renamed.put(o.getName(), o.getName() + SUFFIX);
                tail.add(cast(o.getName() + SUFFIX, o.getName(), FLOAT));
                out.addOutput(o);
            } else {
                out.addOutput(toHalf(o));
            }
        }
        for (ValueInfoProto v : graph.getValueInfoList()) {
            out.addValueInfo(toHalf(v));
        }
        for (TensorProto t : graph.getInitializerList()) {
            out.addInitializer(keptConstants.contains(t.getName()) ? t : toHalf(t));
        }

        out.addAllNode(head);
        for (NodeProto node : graph.getNodeList()) {
            if (FLOAT32_ONLY.contains(node.getOpType())) {
                throw new IllegalArgumentException("float16 activations: " + node.getOpType() + " ('" + node.getName()
                        + "') takes float32 only; convert before quantizing dynamically");
            }
            NodeProto.Builder b = node.toBuilder();
            for (int i = 0; i < b.getInputCount(); i++) {
                b.setInput(i, renamed.getOrDefault(b.getInput(i), b.getInput(i)));
            }
            for (int i = 0; i < b.getOutputCount(); i++) {
                b.setOutput(i, renamed.getOrDefault(b.getOutput(i), b.getOutput(i)));
            }
            Integer float32Input = FLOAT32_INPUT.get(node.getOpType());
            if (float32Input != null && b.getInputCount() > float32Input && !b.getInput(float32Input).isEmpty()
                    && !keptConstants.contains(b.getInput(float32Input))) {
                String computed = b.getInput(float32Input);
                out.addNode(cast(computed, computed + "__fp32", FLOAT));
                b.setInput(float32Input, computed + "__fp32");
            }
            boolean keep = node.getOutputCount() == 1 && keptConstants.contains(node.getOutput(0));
            out.addNode(keep ? b.build() : retype(b));
        }
        out.addAllNode(tail);
        return model.toBuilder().setGraph(out).build();
    }

    /** Initializers and Constant outputs feeding a float32-only input: they keep float32. */
    private static Set<String> float32Constants(GraphProto graph) {
        Set<String> constants = new HashSet<>();
        graph.getInitializerList().forEach(t -> constants.add(t.getName()));
        for (NodeProto n : graph.getNodeList()) {
            if (n.getOpType().equals("Constant")) {
                constants.add(n.getOutput(0));
            }
            for (AttributeProto a : n.getAttributeList()) {
                if (a.getType() == AttributeProto.AttributeType.GRAPH || a.getType() == AttributeProto.AttributeType.GRAPHS) {
                    throw new IllegalArgumentException("float16 activations: subgraphs ('" + n.getName() + "') are not supported");
                }
            }
        }
        Set<String> kept = new HashSet<>();
        for (NodeProto n : graph.getNodeList()) {
            Integer index = FLOAT32_INPUT.get(n.getOpType());
            if (index != null && n.getInputCount() > index && constants.contains(n.getInput(index))) {
                kept.add(n.getInput(index));
            }
        }
        return kept;
    }

    /** The node with its float32 constants and type attributes in float16. */
    private static NodeProto retype(NodeProto.Builder b) {
        switch (b.getOpType()) {
            case "Cast" -> {
                for (int i = 0; i < b.getAttributeCount(); i++) {
                    AttributeProto a = b.getAttribute(i);
                    if (a.getName().equals("to") && a.getI() == FLOAT) {
                        b.setAttribute(i, a.toBuilder().setI(FLOAT16));
                    }
                }
            }
            case "Constant", "ConstantOfShape" -> {
                boolean hasValue = false;
                for (int i = 0; i < b.getAttributeCount(); i++) {
                    AttributeProto a = b.getAttribute(i);
                    switch (a.getName()) {
                        case "value" -> {
                            hasValue = true;
                            b.setAttribute(i, a.toBuilder().setT(toHalf(a.getT())));
                        }
                        case "value_float" -> {
                            hasValue = true;
                            b.setAttribute(i, tensorAttribute(Tensors.floatTensor("", new float[] {a.getF()})));
                        }
                        case "value_floats" -> {
                            hasValue = true;
                            float[] fs = new float[a.getFloatsCount()];
                            for (int j = 0; j < fs.length; j++) {
                                fs[j] = a.getFloats(j);
                            }
                            b.setAttribute(i, tensorAttribute(Tensors.floatTensor("", fs, fs.length)));
                        }
                        default -> { }
                    }
                }
                if (!hasValue && b.getOpType().equals("ConstantOfShape")) {
                    // without a value ConstantOfShape makes float32 zeros
                    b.addAttribute(tensorAttribute(Tensors.floatTensor("", new float[] {0f}, 1)));
                }
            }
            default -> { }
        }
        return b.build();
    }

    private static AttributeProto tensorAttribute(TensorProto floatValue) {
        return AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR)
                .setT(toHalf(floatValue)).build();
    }

    private static TensorProto toHalf(TensorProto t) {
        if (t.getDataType() != FLOAT) {
            return t;
        }
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            throw new IllegalArgumentException("float16 activations: initializer '" + t.getName() + "' is in external data");
        }
        return Tensors.toHalf(t, t.getName());
    }

    private static boolean isFloat(ValueInfoProto v) {
        return v.getType().hasTensorType() && v.getType().getTensorType().getElemType() == FLOAT;
    }

    private static ValueInfoProto toHalf(ValueInfoProto v) {
        if (!isFloat(v)) {
            return v;
        }
        TypeProto.Builder type = v.getType().toBuilder();
        type.getTensorTypeBuilder().setElemType(FLOAT16);
        return v.toBuilder().setType(type).build();
    }

    private static NodeProto cast(String from, String to, int type) {
        return GraphEdit.node("Cast", "", to + "_cast", List.of(from), List.of(to), Map.of("to", (long) type));
    }
}
