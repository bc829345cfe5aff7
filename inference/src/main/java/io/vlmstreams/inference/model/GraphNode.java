package io.vlmstreams.inference.model;

import java.util.List;
import java.util.Map;

/**
 * One node of a graph as far as batching decisions need it: operator, value names in and out, and
 * its integer and short string attributes (tensor and graph attributes are not kept). {@code depth}
 * is 0 in the main graph and grows inside If/Loop/Scan bodies and model-local functions.
 */
public record GraphNode(String name, OperatorType op, List<String> inputs, List<String> outputs,
                        Map<String, Long> intAttributes, Map<String, String> stringAttributes, int depth) {

    public GraphNode {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        intAttributes = Map.copyOf(intAttributes);
        stringAttributes = Map.copyOf(stringAttributes);
    }

    /** The value name of input {@code index}; empty when the node leaves that optional input out. */
    public String input(int index) {
        return index < inputs.size() ? inputs.get(index) : "";
    }

    /** The node's name, or its operator and first output when it has none (for messages). */
    public String label() {
        return name.isEmpty() ? op.name() + " -> " + (outputs.isEmpty() ? "?" : outputs.get(0)) : name;
    }
}
