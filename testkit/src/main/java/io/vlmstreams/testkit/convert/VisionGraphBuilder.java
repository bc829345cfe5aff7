package io.vlmstreams.testkit.convert;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Emits the nodes, initializers and typed inputs/outputs of one ONNX graph (opset 18) for
 * {@link VisionGraphs}. Node outputs get generated unique names unless a graph output name is
 * asked for. Kept package-private and minimal on purpose: the general-purpose builder for the
 * project lives elsewhere; this one only spares the vision graphs the protobuf boilerplate.
 */
final class VisionGraphBuilder {

    static final int OPSET = 18;
    /** IR version 8 is the one that goes with opset 18. */
    static final long IR_VERSION = 8;

    private final OnnxMl.GraphProto.Builder graph = OnnxMl.GraphProto.newBuilder();
    private int counter;

    VisionGraphBuilder(String name) {
        graph.setName(name);
    }

    /** Declares a graph input; each dim is a {@code String} (symbolic) or a {@code Number}. */
    void input(String name, OnnxMl.TensorProto.DataType type, Object... dims) {
        graph.addInput(valueInfo(name, type, dims));
    }

    /** Declares a graph output produced by a node or initializer of the same name. */
    void output(String name, OnnxMl.TensorProto.DataType type, Object... dims) {
        graph.addOutput(valueInfo(name, type, dims));
    }

    /** A float initializer stored as little-endian raw data. */
    String floats(String name, float[] data, long... dims) {
        checkCount(name, data.length, dims);
        ByteBuffer buf = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(data);
        graph.addInitializer(tensor(name, OnnxMl.TensorProto.DataType.FLOAT, dims, ByteString.copyFrom(buf.array())));
        return name;
    }

    /** An int64 initializer stored as little-endian raw data. */
    String longs(String name, long[] data, long... dims) {
        checkCount(name, data.length, dims);
        ByteBuffer buf = ByteBuffer.allocate(data.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        buf.asLongBuffer().put(data);
        graph.addInitializer(tensor(name, OnnxMl.TensorProto.DataType.INT64, dims, ByteString.copyFrom(buf.array())));
        return name;
    }

    /** A float scalar (rank 0) constant. */
    String scalar(float value) {
        return floats(unique("const_f"), new float[] {value});
    }

    /** A rank-0 int64 constant. */
    String scalar(long value) {
        return longs(unique("const_i"), new long[] {value});
    }

    /** A rank-1 float constant. */
    String vector(float... values) {
        return floats(unique("const_fv"), values, values.length);
    }

    /** A rank-1 int64 constant (axes, shapes, indices). */
    String vector(long... values) {
        return longs(unique("const_v"), values, values.length);
    }

    /** Adds a node with one output of a generated name and returns that name. */
    String op(String opType, List<String> inputs, OnnxMl.AttributeProto... attrs) {
        return opTo(unique(opType.toLowerCase()), opType, inputs, attrs);
    }

    /** Adds a node whose single output has the given name (a graph output, usually). */
    String opTo(String output, String opType, List<String> inputs, OnnxMl.AttributeProto... attrs) {
        OnnxMl.NodeProto.Builder node = OnnxMl.NodeProto.newBuilder()
                .setOpType(opType)
                .setName("n" + counter++ + "_" + opType)
                .addAllInput(inputs)
                .addOutput(output);
        for (OnnxMl.AttributeProto a : attrs) {
            node.addAttribute(a);
        }
        graph.addNode(node);
        return output;
    }

    String op(String opType, String... inputs) {
        return op(opType, List.of(inputs));
    }

    static OnnxMl.AttributeProto attr(String name, long value) {
        return OnnxMl.AttributeProto.newBuilder().setName(name)
                .setType(OnnxMl.AttributeProto.AttributeType.INT).setI(value).build();
    }

    static OnnxMl.AttributeProto attr(String name, float value) {
        return OnnxMl.AttributeProto.newBuilder().setName(name)
                .setType(OnnxMl.AttributeProto.AttributeType.FLOAT).setF(value).build();
    }

    static OnnxMl.AttributeProto attr(String name, long[] values) {
        OnnxMl.AttributeProto.Builder a = OnnxMl.AttributeProto.newBuilder().setName(name)
                .setType(OnnxMl.AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    /** Wraps the graph in a model with the default-domain opset 18 import. */
    OnnxMl.ModelProto model(String docString) {
        return OnnxMl.ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("vlm-streams")
                .setDocString(docString)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph)
                .build();
    }

    private String unique(String hint) {
        return hint + "_" + counter++;
    }

    private static void checkCount(String name, int count, long[] dims) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        if (n != count) {
            throw new IllegalArgumentException("initializer '" + name + "' has " + count + " values for shape "
                    + java.util.Arrays.toString(dims));
        }
    }

    private static OnnxMl.TensorProto tensor(String name, OnnxMl.TensorProto.DataType type, long[] dims, ByteString raw) {
        OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name).setDataType(type.getNumber())
                .setRawData(raw);
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    private static OnnxMl.ValueInfoProto valueInfo(String name, OnnxMl.TensorProto.DataType type, Object... dims) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
        for (Object d : dims) {
            OnnxMl.TensorShapeProto.Dimension.Builder dim = OnnxMl.TensorShapeProto.Dimension.newBuilder();
            if (d instanceof String s) {
                dim.setDimParam(s);
            } else if (d instanceof Number n) {
                dim.setDimValue(n.longValue());
            } else {
                throw new IllegalArgumentException("dim must be a String or a Number: " + d);
            }
            shape.addDim(dim);
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name)
                .setType(OnnxMl.TypeProto.newBuilder().setTensorType(
                        OnnxMl.TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape)))
                .build();
    }
}
