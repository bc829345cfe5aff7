package io.vlmstreams.convert.precision;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Finds the {@link WeightMatMul}s of a graph, in node order. */
public final class WeightMatMuls {

    /** Ops that only reshape or rename a tensor: a MatMul reaching an output through them produces that output. */
    private static final Set<String> SHAPE_ONLY = Set.of("Reshape", "Identity", "Squeeze", "Unsqueeze", "Flatten", "Cast");

    private WeightMatMuls() {
    }

    /** Every MatMul-like node of {@code graph} whose B is a 2-D inline float32 initializer (not a graph input). */
    public static List<WeightMatMul> find(GraphProto graph) {
        Map<String, TensorProto> initializers = new HashMap<>();
        for (TensorProto t : graph.getInitializerList()) {
            initializers.put(t.getName(), t);
        }
        for (ValueInfoProto in : graph.getInputList()) {
            initializers.remove(in.getName()); // a caller may override it: not a constant
        }
        Map<String, List<NodeProto>> consumers = consumers(graph);
        Set<String> outputs = new HashSet<>();
        graph.getOutputList().forEach(o -> outputs.add(o.getName()));
        List<WeightMatMul> found = new ArrayList<>();
        for (int i = 0; i < graph.getNodeCount(); i++) {
            NodeProto node = graph.getNode(i);
            boolean gemm = node.getOpType().equals("Gemm") && node.getDomain().isEmpty() && isPlainGemm(node);
            boolean matmul = node.getOpType().equals("MatMul") && node.getDomain().isEmpty();
            if (!(gemm || matmul) || node.getInputCount() < 2) {
                continue;
            }
            TensorProto w = initializers.get(node.getInput(1));
            if (w == null || !Tensors.isInlineFloat(w) || w.getDimsCount() != 2) {
                continue;
            }
            boolean transposed = gemm && intAttribute(node, "transB", 0) == 1;
            int rows = Math.toIntExact(w.getDims(0));
            int cols = Math.toIntExact(w.getDims(1));
            found.add(new WeightMatMul(i, node, w, transposed, transposed ? cols : rows, transposed ? rows : cols,
                    outputReached(node.getOutput(0), consumers, outputs)));
        }
        return found;
    }

    /** Alpha 1, A not transposed, no bias: exactly A x op(B). */
    private static boolean isPlainGemm(NodeProto node) {
        boolean noBias = node.getInputCount() < 3 || node.getInput(2).isEmpty();
        float alpha = 1f;
        for (AttributeProto a : node.getAttributeList()) {
            if (a.getName().equals("alpha")) {
                alpha = a.getF();
            }
        }
        return noBias && alpha == 1f && intAttribute(node, "transA", 0) == 0;
    }

    private static long intAttribute(NodeProto node, String name, long fallback) {
        for (AttributeProto a : node.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getI();
            }
        }
        return fallback;
    }

    private static String outputReached(String value, Map<String, List<NodeProto>> consumers, Set<String> outputs) {
        String current = value;
        for (int hops = 0; hops < 16; hops++) {
            if (outputs.contains(current)) {
                return current;
            }
            List<NodeProto> next = consumers.getOrDefault(current, List.of());
            if (next.size() != 1 || !SHAPE_ONLY.contains(next.get(0).getOpType())
                    || !next.get(0).getInput(0).equals(current)) {
                return null;
            }
            current = next.get(0).getOutput(0);
        }
        return null;
    }

    private static Map<String, List<NodeProto>> consumers(GraphProto graph) {
        Map<String, List<NodeProto>> out = new HashMap<>();
        for (NodeProto n : graph.getNodeList()) {
            for (String in : n.getInputList()) {
                out.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
            }
        }
        return out;
    }
}
