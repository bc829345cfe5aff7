package io.vlmstreams.convert;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import com.google.protobuf.ByteString;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds an ONNX graph (ai.onnx opset {@value #OPSET}) op by op on top of the {@code OnnxMl} protobuf classes that
 * tribuo-util-onnx ships. Tribuo's own {@code ONNXContext}/{@code ONNXOperators} pin opset 13 signatures (for example
 * ReduceMean's {@code axes} attribute, which became an input in opset 18), so nodes are built here with the protobuf
 * builders directly.
 *
 * <p>Values are referred to by name (plain {@link String}s). Every op method adds one node and returns the name of its
 * output. Weights become initializers stored as little-endian {@code raw_data}; small constants (shapes, axes,
 * scalars) become {@code Constant} nodes, so that the initializers of a built model are exactly its parameters (see
 * {@link #parameterCount}). Node names carry the current {@link #scope(String) scope} to keep graphs readable in
 * viewers such as Netron.
 */
public final class OnnxGraphBuilder {

    /** The ai.onnx opset every graph targets. */
    public static final int OPSET = 18;
    /** IR version 9 is the one that goes with opset 18 (ONNX 1.13); onnxruntime 1.14 and later load it. */
    public static final int IR_VERSION = 9;

    /** Marks "to the end" for {@link #slice} ends. */
    public static final long END = Long.MAX_VALUE;

    /** ONNX Runtime's contrib operator domain (GroupQueryAttention, MultiHeadAttention, ...). */
    public static final String MS_DOMAIN = "com.microsoft";
    /** The only version of the {@value #MS_DOMAIN} operator set. */
    public static final int MS_OPSET = 1;

    private final String graphName;
    private final List<OnnxMl.ValueInfoProto> inputs = new ArrayList<>();
    private final List<OnnxMl.ValueInfoProto> outputs = new ArrayList<>();
    private final List<OnnxMl.NodeProto> nodes = new ArrayList<>();
    private final Map<String, OnnxMl.TensorProto> initializers = new LinkedHashMap<>();
    private final Map<String, String> constantCache = new HashMap<>();
    private final Map<String, Integer> nameCounts = new HashMap<>();
    private String scope = "";

    public OnnxGraphBuilder(String graphName) {
        this.graphName = graphName;
    }

    // ------------------------------------------------------------------ graph interface

    /**
     * Declares a graph input. Each dim is an {@link Integer}/{@link Long} (fixed) or a {@link String} (symbolic name,
     * e.g. {@code "batch_size"}).
     */
    public String input(String name, DataType type, Object... dims) {
        inputs.add(valueInfo(name, type, dims));
        return name;
    }

    /** Declares {@code value} as the graph output {@code name}, through an Identity node when the names differ. */
    public String output(String value, String name, DataType type, Object... dims) {
        if (!value.equals(name)) {
            nodes.add(node("Identity", List.of(value), List.of(name), Map.of()));
        }
        outputs.add(valueInfo(name, type, dims));
        return name;
    }

    /** Moves the declared output {@code name} to the front of the graph's output list (e.g. logits before caches). */
    public void placeOutputFirst(String name) {
        OnnxMl.ValueInfoProto found = outputs.stream().filter(o -> o.getName().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no output named '" + name + "'"));
        outputs.remove(found);
        outputs.add(0, found);
    }

    /** Adds a float32 initializer (a weight) with the given shape; returns its name. */
    public String initializer(String name, float[] data, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("initializer '" + name + "': " + data.length + " values do not fit shape "
                    + Arrays.toString(shape));
        }
        if (initializers.containsKey(name)) {
            throw new IllegalArgumentException("initializer '" + name + "' defined twice");
        }
        ByteBuffer buf = ByteBuffer.allocate(data.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(data);
        initializers.put(name, OnnxMl.TensorProto.newBuilder()
                .setName(name)
                .setDataType(DataType.FLOAT.getNumber())
                .addAllDims(boxed(shape))
                .setRawData(ByteString.copyFrom(buf))
                .build());
        return name;
    }

    /**
     * Sets the prefix of the names of nodes added from now on (e.g. {@code "layers.3/attn"}); returns the previous
     * scope so that callers can restore it.
     */
    public String scope(String newScope) {
        String old = scope;
        scope = newScope;
        return old;
    }

    /**
     * The finished model: this graph with opset {@value #OPSET} and IR version {@value #IR_VERSION}, plus the
     * {@value #MS_DOMAIN} operator set when a node uses it.
     */
    public OnnxMl.ModelProto build(String producer) {
        OnnxMl.GraphProto graph = OnnxMl.GraphProto.newBuilder()
                .setName(graphName)
                .addAllInput(inputs)
                .addAllOutput(outputs)
                .addAllNode(nodes)
                .addAllInitializer(initializers.values())
                .build();
        OnnxMl.ModelProto.Builder model = OnnxMl.ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName(producer)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET));
        if (nodes.stream().anyMatch(n -> n.getDomain().equals(MS_DOMAIN))) {
            model.addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain(MS_DOMAIN).setVersion(MS_OPSET));
        }
        return model.setGraph(graph).build();
    }

    /** Number of values in all float initializers of {@code model}: its parameter count when built by this class. */
    public static long parameterCount(OnnxMl.ModelProto model) {
        long total = 0;
        for (OnnxMl.TensorProto t : model.getGraph().getInitializerList()) {
            long n = 1;
            for (long d : t.getDimsList()) {
                n *= d;
            }
            total += n;
        }
        return total;
    }

    // ------------------------------------------------------------------ generic nodes

    /** Adds a node with one output. Attribute values: Long/Integer, Float/Double, String, long[], float[], TensorProto. */
    public String op(String opType, List<String> in, Map<String, Object> attributes) {
        return op(opType, in, 1, attributes).get(0);
    }

    public String op(String opType, String... in) {
        return op(opType, List.of(in), Map.of());
    }

    /** Adds a node with {@code outputCount} outputs and returns their names. */
    public List<String> op(String opType, List<String> in, int outputCount, Map<String, Object> attributes) {
        return op("", opType, in, outputCount, attributes);
    }

    /**
     * Adds a {@value #MS_DOMAIN} node with one output. An empty string in {@code in} leaves that optional input
     * out (ONNX's convention), so later inputs keep their positions.
     */
    public String msOp(String opType, List<String> in, Map<String, Object> attributes) {
        return op(MS_DOMAIN, opType, in, 1, attributes).get(0);
    }

    /** Adds a {@value #MS_DOMAIN} node with {@code outputCount} outputs and returns their names. */
    public List<String> msOp(String opType, List<String> in, int outputCount, Map<String, Object> attributes) {
        return op(MS_DOMAIN, opType, in, outputCount, attributes);
    }

    private List<String> op(String domain, String opType, List<String> in, int outputCount, Map<String, Object> attributes) {
        String base = uniqueName(opType);
        List<String> out = new ArrayList<>(outputCount);
        for (int i = 0; i < outputCount; i++) {
            out.add(outputCount == 1 ? base : base + ":" + i);
        }
        OnnxMl.NodeProto.Builder node = node(opType, in, out, attributes).toBuilder().setName(base);
        if (!domain.isEmpty()) {
            node.setDomain(domain);
        }
        nodes.add(node.build());
        return out;
    }

    // ------------------------------------------------------------------ constants

    /** A 1-D int64 constant (shapes, axes, slice bounds). */
    public String constInts(long... values) {
        return constant("i64" + Arrays.toString(values), OnnxMl.TensorProto.newBuilder()
                .setDataType(DataType.INT64.getNumber())
                .addDims(values.length)
                .addAllInt64Data(boxed(values))
                .build());
    }

    /** A 0-D int64 constant. */
    public String scalarInt(long value) {
        return constant("i64s" + value, OnnxMl.TensorProto.newBuilder()
                .setDataType(DataType.INT64.getNumber())
                .addInt64Data(value)
                .build());
    }

    /** A 0-D float32 constant. */
    public String scalar(float value) {
        return constant("f32s" + Float.floatToIntBits(value), OnnxMl.TensorProto.newBuilder()
                .setDataType(DataType.FLOAT.getNumber())
                .addFloatData(value)
                .build());
    }

    /** A small float32 constant of the given shape (for weights use {@link #initializer}). */
    public String constFloats(float[] values, long... shape) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        return constant("f32" + Arrays.toString(shape) + Arrays.toString(values), OnnxMl.TensorProto.newBuilder()
                .setDataType(DataType.FLOAT.getNumber())
                .addAllDims(boxed(shape))
                .setRawData(ByteString.copyFrom(buf))
                .build());
    }

    private String constant(String key, OnnxMl.TensorProto value) {
        return constantCache.computeIfAbsent(key, k -> {
            String old = scope("const");
            String name = op("Constant", List.of(), Map.of("value", value));
            scope(old);
            return name;
        });
    }

    // ------------------------------------------------------------------ elementwise

    public String add(String a, String b) {
        return op("Add", a, b);
    }

    public String sub(String a, String b) {
        return op("Sub", a, b);
    }

    public String mul(String a, String b) {
        return op("Mul", a, b);
    }

    public String div(String a, String b) {
        return op("Div", a, b);
    }

    public String neg(String x) {
        return op("Neg", x);
    }

    public String sqrt(String x) {
        return op("Sqrt", x);
    }

    public String reciprocal(String x) {
        return op("Reciprocal", x);
    }

    public String sigmoid(String x) {
        return op("Sigmoid", x);
    }

    public String cos(String x) {
        return op("Cos", x);
    }

    public String sin(String x) {
        return op("Sin", x);
    }

    /** SiLU (swish): x * sigmoid(x). */
    public String silu(String x) {
        return mul(x, sigmoid(x));
    }

    public String where(String condition, String ifTrue, String ifFalse) {
        return op("Where", condition, ifTrue, ifFalse);
    }

    public String and(String a, String b) {
        return op("And", a, b);
    }

    public String equal(String a, String b) {
        return op("Equal", a, b);
    }

    public String lessOrEqual(String a, String b) {
        return op("LessOrEqual", a, b);
    }

    public String cast(String x, DataType to) {
        return op("Cast", List.of(x), Map.of("to", (long) to.getNumber()));
    }

    // ------------------------------------------------------------------ linear algebra and reductions

    public String matmul(String a, String b) {
        return op("MatMul", a, b);
    }

    /** Gemm on 2-D operands: alpha * op(a) * op(b) (+ c), with optional transposes. */
    public String gemm(String a, String b, boolean transA, boolean transB) {
        return op("Gemm", List.of(a, b), Map.of("transA", transA ? 1L : 0L, "transB", transB ? 1L : 0L));
    }

    public String reduceMean(String x, boolean keepDims, long... axes) {
        return op("ReduceMean", List.of(x, constInts(axes)), Map.of("keepdims", keepDims ? 1L : 0L));
    }

    public String softmax(String x, long axis) {
        return op("Softmax", List.of(x), Map.of("axis", axis));
    }

    /**
     * RMS normalization over the last axis as one node: ONNX Runtime's {@code SimplifiedLayerNormalization}, which it
     * registers in the ONNX domain (float statistics, as {@link #rmsNorm}).
     */
    public String simplifiedLayerNorm(String x, String weight, double eps) {
        return op("SimplifiedLayerNormalization", List.of(x, weight), Map.of("axis", -1L, "epsilon", (float) eps));
    }

    /**
     * {@code com.microsoft.SkipSimplifiedLayerNormalization}: the residual add fused with the RMS norm of its result.
     * Returns {@code [rmsNorm(x + skip) * weight, x + skip]} (outputs 0 and 3; mean and inverse deviation are left
     * out).
     */
    public List<String> skipSimplifiedLayerNorm(String x, String skip, String weight, double eps) {
        String base = uniqueName("SkipSimplifiedLayerNormalization");
        List<String> out = List.of(base + ":0", "", "", base + ":3");
        nodes.add(node("SkipSimplifiedLayerNormalization", List.of(x, skip, weight), out, Map.of("epsilon", (float) eps))
                .toBuilder().setName(base).setDomain(MS_DOMAIN).build());
        return List.of(out.get(0), out.get(3));
    }

    /**
     * RMS normalization over the last axis as LLaMA-style models define it: x * 1/sqrt(mean(x^2) + eps) * weight.
     */
    public String rmsNorm(String x, String weight, double eps) {
        String variance = reduceMean(mul(x, x), true, -1);
        String inv = reciprocal(sqrt(add(variance, scalar((float) eps))));
        return mul(mul(x, inv), weight);
    }

    /** 1-D (or N-D) convolution without padding; {@code bias} may be null. */
    public String conv(String x, String weight, String bias, long group) {
        List<String> in = bias == null ? List.of(x, weight) : List.of(x, weight, bias);
        return op("Conv", in, Map.of("group", group));
    }

    public String gather(String data, String indices, long axis) {
        return op("Gather", List.of(data, indices), Map.of("axis", axis));
    }

    // ------------------------------------------------------------------ shapes

    /** Reshape to a constant target shape (0 copies the input dim, -1 is inferred). */
    public String reshape(String x, long... shape) {
        return reshapeTo(x, constInts(shape));
    }

    /** Reshape to a shape computed in the graph. */
    public String reshapeTo(String x, String shape) {
        return op("Reshape", x, shape);
    }

    public String transpose(String x, long... perm) {
        return op("Transpose", List.of(x), Map.of("perm", perm));
    }

    public String concat(long axis, String... xs) {
        return op("Concat", List.of(xs), Map.of("axis", axis));
    }

    public String unsqueeze(String x, long... axes) {
        return op("Unsqueeze", x, constInts(axes));
    }

    public String squeeze(String x, long... axes) {
        return op("Squeeze", x, constInts(axes));
    }

    /** Constant-bounds slice along {@code axes}; use {@link #END} for "to the end". */
    public String slice(String x, long[] starts, long[] ends, long[] axes) {
        return op("Slice", x, constInts(starts), constInts(ends), constInts(axes));
    }

    /** Slice along one axis with bounds computed in the graph (1-D int64 tensors of one element). */
    public String slice(String x, String start, String end, long axis) {
        return op("Slice", x, start, end, constInts(axis));
    }

    /** Splits along {@code axis} into parts of the given sizes. */
    public List<String> split(String x, long axis, long... sizes) {
        return op("Split", List.of(x, constInts(sizes)), sizes.length, Map.of("axis", axis));
    }

    /** The 1-D shape of {@code x}, or of dims [start, end) of it. */
    public String shape(String x, long start, long end) {
        return op("Shape", List.of(x), Map.of("start", start, "end", end));
    }

    public String shape(String x) {
        return op("Shape", x);
    }

    /** 1-D sequence start, start+delta, ... below limit; the three operands are 0-D tensors. */
    public String range(String start, String limit, String delta) {
        return op("Range", start, limit, delta);
    }

    // ------------------------------------------------------------------ helpers

    private String uniqueName(String opType) {
        String base = (scope.isEmpty() ? "" : scope + "/") + opType;
        int n = nameCounts.merge(base, 1, Integer::sum);
        return n == 1 ? base : base + "_" + (n - 1);
    }

    private static OnnxMl.NodeProto node(String opType, List<String> in, List<String> out, Map<String, Object> attrs) {
        OnnxMl.NodeProto.Builder b = OnnxMl.NodeProto.newBuilder().setOpType(opType).addAllInput(in).addAllOutput(out);
        attrs.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> b.addAttribute(attribute(e.getKey(), e.getValue())));
        return b.build();
    }

    private static OnnxMl.AttributeProto attribute(String name, Object value) {
        OnnxMl.AttributeProto.Builder a = OnnxMl.AttributeProto.newBuilder().setName(name);
        if (value instanceof Integer || value instanceof Long) {
            a.setType(OnnxMl.AttributeProto.AttributeType.INT).setI(((Number) value).longValue());
        } else if (value instanceof Float || value instanceof Double) {
            a.setType(OnnxMl.AttributeProto.AttributeType.FLOAT).setF(((Number) value).floatValue());
        } else if (value instanceof String s) {
            a.setType(OnnxMl.AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8(s));
        } else if (value instanceof long[] ls) {
            a.setType(OnnxMl.AttributeProto.AttributeType.INTS).addAllInts(boxed(ls));
        } else if (value instanceof float[] fs) {
            a.setType(OnnxMl.AttributeProto.AttributeType.FLOATS);
            for (float f : fs) {
                a.addFloats(f);
            }
        } else if (value instanceof OnnxMl.TensorProto t) {
            a.setType(OnnxMl.AttributeProto.AttributeType.TENSOR).setT(t);
        } else {
            throw new IllegalArgumentException("unsupported attribute value for '" + name + "': " + value);
        }
        return a.build();
    }

    private static OnnxMl.ValueInfoProto valueInfo(String name, DataType type, Object... dims) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
        for (Object d : dims) {
            OnnxMl.TensorShapeProto.Dimension.Builder dim = OnnxMl.TensorShapeProto.Dimension.newBuilder();
            if (d instanceof String s) {
                dim.setDimParam(s);
            } else if (d instanceof Number n) {
                dim.setDimValue(n.longValue());
            } else {
                throw new IllegalArgumentException("dim of '" + name + "' must be a number or a name: " + d);
            }
            shape.addDim(dim);
        }
        return OnnxMl.ValueInfoProto.newBuilder()
                .setName(name)
                .setType(OnnxMl.TypeProto.newBuilder().setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
                        .setElemType(type.getNumber())
                        .setShape(shape)))
                .build();
    }

    private static List<Long> boxed(long[] values) {
        List<Long> out = new ArrayList<>(values.length);
        for (long v : values) {
            out.add(v);
        }
        return out;
    }
}
