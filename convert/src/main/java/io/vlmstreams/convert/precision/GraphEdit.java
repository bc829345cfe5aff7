package io.vlmstreams.convert.precision;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A rewrite of a graph's nodes in place: nodes replaced by others at their position (so the
 * order stays topological), initializers added, and every initializer no node uses any more
 * dropped (the float weights a quantized node replaced).
 */
final class GraphEdit {

    /** The domain of ONNX Runtime's contrib operators. */
    static final String MICROSOFT = "com.microsoft";

    private final GraphProto graph;
    private final Map<Integer, List<NodeProto>> replacements = new HashMap<>();
    private final Map<String, TensorProto> added = new LinkedHashMap<>();

    GraphEdit(GraphProto graph) {
        this.graph = graph;
    }

    /** Puts {@code nodes} where node {@code index} was. */
    void replace(int index, List<NodeProto> nodes) {
        if (replacements.putIfAbsent(index, List.copyOf(nodes)) != null) {
            throw new IllegalStateException("node " + index + " replaced twice");
        }
    }

    /** Adds an initializer unless one of that name was added already; returns whether it was new. */
    boolean addInitializer(TensorProto t) {
        return added.putIfAbsent(t.getName(), t) == null;
    }

    boolean isEmpty() {
        return replacements.isEmpty();
    }

    GraphProto build() {
        List<NodeProto> nodes = new ArrayList<>();
        for (int i = 0; i < graph.getNodeCount(); i++) {
            nodes.addAll(replacements.getOrDefault(i, List.of(graph.getNode(i))));
        }
        Set<String> used = new HashSet<>();
        nodes.forEach(n -> used.addAll(n.getInputList()));
        graph.getOutputList().forEach(o -> used.add(o.getName()));
        graph.getInputList().stream().map(ValueInfoProto::getName).forEach(used::add);
        GraphProto.Builder out = graph.toBuilder().clearNode().addAllNode(nodes).clearInitializer();
        graph.getInitializerList().stream().filter(t -> used.contains(t.getName())).forEach(out::addInitializer);
        added.values().stream().filter(t -> used.contains(t.getName())).forEach(out::addInitializer);
        return out.build();
    }

    /** A node; {@code ints} are its INT attributes (sorted by name, as the graph builder writes them). */
    static NodeProto node(String opType, String domain, String name, List<String> inputs, List<String> outputs,
                          Map<String, Long> ints) {
        NodeProto.Builder b = NodeProto.newBuilder().setOpType(opType).setName(name).addAllInput(inputs).addAllOutput(outputs);
        if (!domain.isEmpty()) {
            b.setDomain(domain);
        }
        ints.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> b.addAttribute(AttributeProto.newBuilder()
                .setName(e.getKey()).setType(AttributeProto.AttributeType.INT).setI(e.getValue())));
        return b.build();
    }

    /** {@code model} importing {@code domain} at {@code version} (unchanged when it already imports the domain). */
    static ModelProto withOpset(ModelProto model, String domain, long version) {
        for (OperatorSetIdProto o : model.getOpsetImportList()) {
            if (o.getDomain().equals(domain)) {
                return model;
            }
        }
        return model.toBuilder()
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(domain).setVersion(version))
                .build();
    }
}
