package io.vlmstreams.inference.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.TensorInfo;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A graph input or output as declared: element type and shape, where a symbolic dimension is -1
 * and keeps its name (e.g. {@code batch_size}, {@code past_sequence_length}).
 */
public record TensorSpec(String name, OnnxJavaType type, long[] shape, String[] dimensionNames) {

    public static TensorSpec of(NodeInfo node) {
        if (!(node.getInfo() instanceof TensorInfo info)) {
            throw new IllegalArgumentException(node.getName() + " is not a tensor: " + node.getInfo());
        }
        String[] names = info.getDimensionNames();
        return new TensorSpec(node.getName(), info.type, info.getShape(), names == null ? new String[info.getShape().length] : names);
    }

    /** All tensors of a session's input or output map, in declaration order. */
    public static Map<String, TensorSpec> all(Map<String, NodeInfo> nodes) {
        Map<String, TensorSpec> out = new LinkedHashMap<>();
        nodes.forEach((name, node) -> out.put(name, of(node)));
        return out;
    }

    public int rank() {
        return shape.length;
    }

    /** The declared size of a dimension, or -1 when symbolic. */
    public long dim(int axis) {
        return shape[axis];
    }

    /**
     * A concrete shape: the batch dimension (axis 0) becomes {@code batch}, every other symbolic
     * dimension becomes {@code otherSymbolic} (0 for an empty cache).
     */
    public long[] concreteShape(int batch, long otherSymbolic) {
        long[] out = shape.clone();
        for (int i = 0; i < out.length; i++) {
            if (i == 0) {
                out[i] = batch;
            } else if (out[i] < 0) {
                out[i] = otherSymbolic;
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(shape) + " " + Arrays.toString(dimensionNames);
    }
}
