package io.vlmstreams.convert;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import io.vlmstreams.convert.precision.Float16Activations;
import io.vlmstreams.convert.precision.Float16Io;
import io.vlmstreams.convert.precision.Tensors;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Makes the {@code _fp16} variant of a graph, in one of two forms ({@link Float16Io}).
 *
 * <p>{@link Float16Io#KEEP_FLOAT32} (onnx-community): float32 weight initializers are stored as
 * float16 and a {@code Cast(to=FLOAT)} node at the head of the graph turns each back into the
 * float32 tensor of the original name. So the file is half the size while every graph input and
 * output (image features, embeddings, logits, caches) stays float32 and no operator changes
 * precision; runtimes may fold the casts at load time. Small initializers (fewer than
 * {@link #MIN_ELEMENTS} values: norm scales, RoPE frequencies, epsilons, shape constants) stay
 * float32 because their precision matters more than their size.
 *
 * <p>A {@link Float16Io#activations() full} conversion (Liquid AI) makes every float tensor
 * float16 except the named inputs and outputs.
 */
public final class Float16Weights {

    /** Initializers with fewer values than this keep float32. */
    public static final long MIN_ELEMENTS = 1024;

    static final String SUFFIX = Float16Activations.SUFFIX;

    private Float16Weights() {
    }

    /** The model with its large float32 initializers stored as float16 behind Cast nodes ({@link Float16Io#KEEP_FLOAT32}). */
    public static ModelProto convert(ModelProto model) {
        return convert(model, Float16Io.KEEP_FLOAT32);
    }

    /** The {@code _fp16} form of {@code model} that {@code io} asks for. */
    public static ModelProto convert(ModelProto model, Float16Io io) {
        return io.activations() ? Float16Activations.convert(model, io.float32Io())
                : weightsOnly(model);
    }

    private static ModelProto weightsOnly(ModelProto model) {
        GraphProto graph = model.getGraph();
        Set<String> graphInputs = new HashSet<>();
        for (ValueInfoProto in : graph.getInputList()) {
            graphInputs.add(in.getName());
        }
        GraphProto.Builder out = graph.toBuilder().clearInitializer().clearNode();
        List<NodeProto> casts = new ArrayList<>();
        for (TensorProto t : graph.getInitializerList()) {
            // an initializer that is also a graph input can be overridden by the caller: keep its type
            if (!Tensors.isInlineFloat(t) || Tensors.elementCount(t) < MIN_ELEMENTS || graphInputs.contains(t.getName())) {
                out.addInitializer(t);
                continue;
            }
            String stored = t.getName() + SUFFIX;
            out.addInitializer(Tensors.toHalf(t, stored));
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
}
