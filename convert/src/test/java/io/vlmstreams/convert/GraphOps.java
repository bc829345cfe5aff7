package io.vlmstreams.convert;

import ai.onnx.proto.OnnxMl;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Reads a built graph's structure in tests: its nodes by operator, and which graph inputs a node depends on. */
final class GraphOps {

    private GraphOps() {
    }

    static List<OnnxMl.NodeProto> nodes(OnnxMl.ModelProto model, String domain, String opType) {
        return model.getGraph().getNodeList().stream()
                .filter(n -> n.getDomain().equals(domain) && n.getOpType().equals(opType)).toList();
    }

    static int count(OnnxMl.ModelProto model, String domain, String opType) {
        return nodes(model, domain, opType).size();
    }

    static OnnxMl.NodeProto only(OnnxMl.ModelProto model, String domain, String opType) {
        List<OnnxMl.NodeProto> found = nodes(model, domain, opType);
        if (found.size() != 1) {
            throw new AssertionError(found.size() + " " + domain + "." + opType + " nodes, expected one");
        }
        return found.get(0);
    }

    static long intAttribute(OnnxMl.NodeProto node, String name) {
        return node.getAttributeList().stream().filter(a -> a.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(node.getName() + " has no attribute " + name)).getI();
    }

    /** The node that outputs {@code value}, or null for a graph input or initializer. */
    static OnnxMl.NodeProto producer(OnnxMl.ModelProto model, String value) {
        return model.getGraph().getNodeList().stream().filter(n -> n.getOutputList().contains(value)).findFirst().orElse(null);
    }

    /** True when {@code node} depends, through any chain of nodes, on the graph input {@code input}. */
    static boolean feedsFrom(OnnxMl.ModelProto model, OnnxMl.NodeProto node, String input) {
        Deque<OnnxMl.NodeProto> todo = new ArrayDeque<>(List.of(node));
        Set<String> seen = new HashSet<>();
        while (!todo.isEmpty()) {
            OnnxMl.NodeProto n = todo.pop();
            for (String in : n.getInputList()) {
                if (in.equals(input)) {
                    return true;
                }
                if (!in.isEmpty() && seen.add(in)) {
                    OnnxMl.NodeProto p = producer(model, in);
                    if (p != null) {
                        todo.push(p);
                    }
                }
            }
        }
        return false;
    }
}
