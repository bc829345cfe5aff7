package io.vlmstreams.convert;

import io.vlmstreams.inference.onnx.Fp16;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Makes the {@code _fp16} variant of a graph: float32 weight initializers are stored as float16 and
 * a {@code Cast(to=FLOAT)} node at the head of the graph turns each back into the float32 tensor of
 * the original name. So the file is half the size while every graph input and output (image
 * features, embeddings, logits, caches) stays float32 and no operator changes precision; runtimes
 * may fold the casts at load time. Small initializers (fewer than {@link #MIN_ELEMENTS} values:
 * norm scales, RoPE frequencies, epsilons, shape constants) stay float32 because their precision
 * matters more than their size.
 */
public final class Float16Weights {

    /** Initializers with fewer values than this keep float32. */
    public static final long MIN_ELEMENTS = 1024;

    static final String SUFFIX = "__fp16";

    private Float16Weights() {
    }

    /** The model with its large float32 initializers stored as float16 behind Cast nodes. */
    public static ModelProto convert(ModelProto model) {
        GraphProto graph = model.getGraph();
        Set<String> graphInputs = new HashSet<>();
        for (ValueInfoProto in : graph.getInputList()) {
            graphInputs.add(in.getName());
        }
        GraphProto.Builder out = graph.toBuilder().clearInitializer().clearNode();
        List<NodeProto> casts = new ArrayList<>();
        for (TensorProto t : graph.getInitializerList()) {
            // an initializer that is also a graph input can be overridden by the caller: keep its type
            if (t.getDataType() != TensorProto.DataType.FLOAT_VALUE || elementCount(t) < MIN_ELEMENTS
                    || graphInputs.contains(t.getName()) || t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
                out.addInitializer(t);
                continue;
            }
            String stored = t.getName() + SUFFIX;
            out.addInitializer(TensorProto.newBuilder()
                    .setName(stored)
                    .addAllDims(t.getDimsList())
                    .setDataType(TensorProto.DataType.FLOAT16_VALUE)
                    .setRawData(toHalfBytes(floats(t)))
                    .build());
            casts.add(NodeProto.newBuilder()
                    .setOpType("Cast")
                    .setName(t.getName() + "_cast_fp32")
                    .addInput(stored)
                    .addOutput(t.getName())
                    .addAttribute(AttributeProto.newBuilder().setName("to")
                            .setType(AttributeProto.AttributeType.INT).setI(TensorProto.DataType.FLOAT_VALUE))
                    .build());
        }
        // nodes must stay topologically sorted: the casts come first
        out.addAllNode(casts).addAllNode(graph.getNodeList());
        return model.toBuilder().setGraph(out).build();
    }

    static long elementCount(TensorProto t) {
        long n = 1;
        for (long d : t.getDimsList()) {
            n *= d;
        }
        return n;
    }

    private static FloatBuffer floats(TensorProto t) {
        if (!t.getRawData().isEmpty()) {
            return t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        }
        FloatBuffer fb = FloatBuffer.allocate(t.getFloatDataCount());
        t.getFloatDataList().forEach(fb::put);
        return fb.flip();
    }

    private static ByteString toHalfBytes(FloatBuffer in) {
        ByteBuffer out = ByteBuffer.allocate(in.remaining() * 2).order(ByteOrder.LITTLE_ENDIAN);
        while (in.hasRemaining()) {
            out.putShort(Fp16.toFloat16(in.get()));
        }
        // the array is never touched again, so wrapping it saves a copy of the largest weights
        return UnsafeByteOperations.unsafeWrap(out.array());
    }
}
