package io.vlmstreams.inference.model;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import com.google.protobuf.ByteString;
import io.vlmstreams.inference.onnx.Fp16;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Small ONNX models written with the generated protobuf classes: graphs shaped like the published
 * Liquid AI exports (fused Microsoft operators) for what {@link GraphInfo} and {@link GraphTraits}
 * read. They are declarations only; ONNX Runtime is not asked to run them.
 */
final class TestGraphs {

    private TestGraphs() {
    }

    static OnnxMl.ValueInfoProto value(String name, DataType type, Object... dims) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
        for (Object d : dims) {
            OnnxMl.TensorShapeProto.Dimension.Builder dim = OnnxMl.TensorShapeProto.Dimension.newBuilder();
            if (d instanceof Number n) {
                dim.setDimValue(n.longValue());
            } else {
                dim.setDimParam(d.toString());
            }
            shape.addDim(dim);
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(OnnxMl.TypeProto.newBuilder()
                .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape))).build();
    }

    static OnnxMl.NodeProto node(String domain, String op, List<String> in, List<String> out, Map<String, Long> ints) {
        OnnxMl.NodeProto.Builder n = OnnxMl.NodeProto.newBuilder().setOpType(op).setDomain(domain)
                .setName(op + "_" + out.get(0)).addAllInput(in).addAllOutput(out);
        ints.forEach((k, v) -> n.addAttribute(OnnxMl.AttributeProto.newBuilder().setName(k)
                .setType(OnnxMl.AttributeProto.AttributeType.INT).setI(v)));
        return n.build();
    }

    static OnnxMl.NodeProto onnx(String op, List<String> in, String out) {
        return node("", op, in, List.of(out), Map.of());
    }

    static OnnxMl.TensorProto initializer(String name, float... values) {
        OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name).setDataType(DataType.FLOAT.getNumber())
                .addDims(values.length);
        for (float v : values) {
            t.addFloatData(v);
        }
        return t.build();
    }

    static OnnxMl.ModelProto model(OnnxMl.GraphProto graph) {
        return OnnxMl.ModelProto.newBuilder().setIrVersion(9).setProducerName("test").setGraph(graph)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(18))
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("com.microsoft").setVersion(1))
                .build();
    }

    static Path write(Path file, OnnxMl.ModelProto model) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, model.toByteArray());
        return file;
    }

    /**
     * A decoder layer as liquidonnx builds it: no position_ids and no num_logits_to_keep,
     * float16 embeddings and caches, {@code seqlens_k = ReduceSum(attention_mask) - 1} and
     * {@code total_sequence_length = Shape(attention_mask)[1]} into GroupQueryAttention with rotary
     * inside, simplified layer norms, 4-bit MatMulNBits projections, float32 logits.
     */
    static OnnxMl.ModelProto liquidDecoder() {
        String ms = "com.microsoft";
        OnnxMl.GraphProto g = OnnxMl.GraphProto.newBuilder().setName("decoder")
                .addInput(value("inputs_embeds", DataType.FLOAT16, "batch_size", "sequence_length", 64))
                .addInput(value("attention_mask", DataType.INT64, "batch_size", "total_sequence_length"))
                .addInput(value("past_key_values.0.key", DataType.FLOAT16, "batch_size", 2, "past_sequence_length", 16))
                .addInput(value("past_key_values.0.value", DataType.FLOAT16, "batch_size", 2, "past_sequence_length", 16))
                .addInitializer(initializer("one", 1f))
                .addInitializer(initializer("norm_w", new float[64]))
                .addNode(node("", "ReduceSum", List.of("attention_mask", "axes_1"), List.of("mask_sum"), Map.of("keepdims", 0L)))
                .addNode(onnx("Sub", List.of("mask_sum", "one"), "mask_sum_minus_1"))
                .addNode(node("", "Cast", List.of("mask_sum_minus_1"), List.of("seqlens_k"), Map.of("to", 6L)))
                .addNode(onnx("Shape", List.of("attention_mask"), "mask_shape"))
                .addNode(onnx("Gather", List.of("mask_shape", "idx_1"), "total_len"))
                .addNode(node("", "Cast", List.of("total_len"), List.of("total_sequence_length"), Map.of("to", 6L)))
                .addNode(node("", "SimplifiedLayerNormalization", List.of("inputs_embeds", "norm_w"), List.of("h"), Map.of()))
                .addNode(node(ms, "MatMulNBits", List.of("h", "q_w", "q_scales"), List.of("q"), Map.of("bits", 4L, "block_size", 32L, "K", 64L, "N", 64L)))
                .addNode(node(ms, "MatMulNBits", List.of("h", "k_w", "k_scales"), List.of("k"), Map.of("bits", 4L, "block_size", 32L, "K", 64L, "N", 32L)))
                .addNode(node(ms, "MatMulNBits", List.of("h", "v_w", "v_scales"), List.of("v"), Map.of("bits", 4L, "block_size", 32L, "K", 64L, "N", 32L)))
                .addNode(node(ms, "GroupQueryAttention",
                        List.of("q", "k", "v", "past_key_values.0.key", "past_key_values.0.value", "seqlens_k",
                                "total_sequence_length", "cos_cache", "sin_cache"),
                        List.of("attn", "present.0.key", "present.0.value"),
                        Map.of("num_heads", 4L, "kv_num_heads", 2L, "do_rotary", 1L)))
                .addNode(node(ms, "SkipSimplifiedLayerNormalization", List.of("attn", "h", "norm_w"), List.of("h2"), Map.of()))
                .addNode(onnx("MatMul", List.of("h2", "lm_head"), "logits_16"))
                .addNode(node("", "Cast", List.of("logits_16"), List.of("logits"), Map.of("to", 1L)))
                .addOutput(value("logits", DataType.FLOAT, "batch_size", "sequence_length", 400))
                .addOutput(value("present.0.key", DataType.FLOAT16, "batch_size", 2, "total_sequence_length", 16))
                .addOutput(value("present.0.value", DataType.FLOAT16, "batch_size", 2, "total_sequence_length", 16))
                .build();
        return model(g);
    }

    /**
     * A vision encoder as liquidonnx builds it: the learned position grid resized with one ONNX
     * Resize whose sizes come from {@code spatial_shapes[0]}, attention as MultiHeadAttention, 8-bit
     * MatMulNBits. With {@code inLoop} the Resize sits in a Loop body instead (one resize per iteration).
     */
    static OnnxMl.ModelProto liquidVision(boolean inLoop) {
        List<OnnxMl.NodeProto> resize = List.of(
                node("", "Gather", List.of("spatial_shapes", "idx_0"), List.of("first_shape"), Map.of("axis", 0L)),
                onnx("Gather", List.of("first_shape", "idx_0"), "h"),
                onnx("Gather", List.of("first_shape", "idx_1"), "w"),
                onnx("Unsqueeze", List.of("h", "axes_0"), "h_u"),
                onnx("Unsqueeze", List.of("w", "axes_0"), "w_u"),
                node("", "Concat", List.of("batch_1", "hidden", "h_u", "w_u"), List.of("interp/sizes"), Map.of("axis", 0L)),
                node("", "Resize", List.of("pos_emb/4d", "interp/empty_roi", "", "interp/sizes"), List.of("interp/resized"), Map.of()));
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("vision")
                .addInput(value("pixel_values", DataType.FLOAT, "batch_size", "num_patches", 768))
                .addInput(value("pixel_attention_mask", DataType.INT64, "batch_size", "num_patches"))
                .addInput(value("spatial_shapes", DataType.INT64, "batch_size", 2));
        if (inLoop) {
            OnnxMl.GraphProto body = OnnxMl.GraphProto.newBuilder().setName("per_tile").addAllNode(resize)
                    .addOutput(value("interp/resized", DataType.FLOAT)).build();
            g.addNode(OnnxMl.NodeProto.newBuilder().setOpType("Loop").setName("tiles").addInput("trip").addInput("")
                    .addOutput("interp/resized_all").addAttribute(OnnxMl.AttributeProto.newBuilder().setName("body")
                            .setType(OnnxMl.AttributeProto.AttributeType.GRAPH).setG(body)));
        } else {
            g.addAllNode(resize);
        }
        g.addNode(node("com.microsoft", "MatMulNBits", List.of("pixel_values", "patch_w", "patch_scales"), List.of("patches"),
                        Map.of("bits", 8L, "block_size", 32L)))
                .addNode(node("com.microsoft", "MultiHeadAttention", List.of("patches", "patches", "patches", "", "", "attention_bias"),
                        List.of("attn"), Map.of("num_heads", 4L)))
                .addOutput(value("image_features", DataType.FLOAT, "num_image_tokens", 64));
        return model(g.build());
    }

    /**
     * {@code fp32File} (an embed_tokens graph: one float initializer gathered) with its weights and
     * output in float16: a real half-precision embedding graph, as LFM2.5's {@code embed_tokens_fp16}.
     */
    static OnnxMl.ModelProto toFloat16Embedding(Path fp32File) throws IOException {
        OnnxMl.ModelProto m = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(fp32File));
        OnnxMl.GraphProto.Builder g = m.getGraph().toBuilder().clearValueInfo();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            OnnxMl.TensorProto t = g.getInitializer(i);
            float[] values = floats(t);
            ByteBuffer half = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : values) {
                half.putShort(Fp16.toFloat16(v));
            }
            g.setInitializer(i, t.toBuilder().clearFloatData().setDataType(DataType.FLOAT16.getNumber())
                    .setRawData(ByteString.copyFrom(half.array())));
        }
        for (int i = 0; i < g.getOutputCount(); i++) {
            OnnxMl.ValueInfoProto.Builder out = g.getOutput(i).toBuilder();
            out.getTypeBuilder().getTensorTypeBuilder().setElemType(DataType.FLOAT16.getNumber());
            g.setOutput(i, out);
        }
        return m.toBuilder().setGraph(g).build();
    }

    private static float[] floats(OnnxMl.TensorProto t) {
        if (t.getDataType() != DataType.FLOAT.getNumber()) {
            throw new IllegalArgumentException(t.getName() + " is not float32");
        }
        if (!t.getRawData().isEmpty()) {
            java.nio.FloatBuffer fb = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            float[] out = new float[fb.remaining()];
            fb.get(out);
            return out;
        }
        float[] out = new float[t.getFloatDataCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = t.getFloatData(i);
        }
        return out;
    }
}
