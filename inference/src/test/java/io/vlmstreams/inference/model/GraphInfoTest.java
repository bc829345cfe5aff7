package io.vlmstreams.inference.model;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.google.protobuf.CodedOutputStream;
import io.vlmstreams.devstack.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link GraphInfo} read from the protobuf, checked against ONNX Runtime's view of the same files, and {@link GraphTraits}. */
class GraphInfoTest {

    @TempDir
    Path tmp;

    private static Path fixtureGraph(String name) {
        return Fixtures.tinyOnnx().resolve("onnx").resolve(name);
    }

    @Test
    void fixtureGraphsDeclareWhatOnnxRuntimeReports() throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        for (String name : List.of("vision_encoder.onnx", "embed_tokens.onnx", "decoder_model_merged.onnx")) {
            Path file = fixtureGraph(name);
            GraphInfo info = GraphInfo.read(file);
            try (OrtSession session = env.createSession(file.toString(), new OrtSession.SessionOptions())) {
                assertThat(info.inputs()).as("inputs of %s", name).containsExactlyElementsOf(declared(session.getInputInfo()));
                assertThat(info.outputs()).as("outputs of %s", name).containsExactlyElementsOf(declared(session.getOutputInfo()));
            }
            assertThat(info.opsets()).containsKey(OperatorType.ONNX);
            // Nearly all of a graph file is its weights, which were counted but not read.
            assertThat(info.weights().inlineBytes()).isBetween((long) (0.9 * fileSize(file)), fileSize(file));
            assertThat(info.hasExternalData()).isFalse();
        }
    }

    @Test
    void initializerShapesAndTypesAreTheProtobufs() throws IOException {
        for (String name : List.of("vision_encoder.onnx", "decoder_model_merged.onnx")) {
            Path file = fixtureGraph(name);
            GraphInfo info = GraphInfo.read(file);
            OnnxMl.GraphProto graph;
            try (InputStream in = Files.newInputStream(file)) {
                graph = OnnxMl.ModelProto.parseFrom(in).getGraph();
            }
            assertThat(info.initializerDecls()).hasSize(graph.getInitializerCount());
            for (OnnxMl.TensorProto t : graph.getInitializerList()) {
                TensorDecl d = info.initializer(t.getName()).orElseThrow();
                assertThat(d.shape()).as(t.getName()).containsExactlyElementsOf(t.getDimsList().stream().map(String::valueOf).toList());
                assertThat(d.elementType()).isEqualTo(OnnxProtoParser.elementType(t.getDataType()));
            }
        }
    }

    @Test
    void fixtureGraphsOperatorsAndTraits() {
        GraphInfo vision = GraphInfo.read(fixtureGraph("vision_encoder.onnx"));
        GraphInfo embed = GraphInfo.read(fixtureGraph("embed_tokens.onnx"));
        GraphInfo decoder = GraphInfo.read(fixtureGraph("decoder_model_merged.onnx"));

        assertThat(embed.operatorCounts()).containsKey(OperatorType.onnx("Gather"));
        // The LFM2 short convolution and plain (unfused) attention.
        assertThat(decoder.operatorCounts()).containsKeys(OperatorType.onnx("Conv"), OperatorType.onnx("Softmax"), OperatorType.onnx("MatMul"));
        assertThat(vision.operatorCounts()).containsKeys(OperatorType.onnx("LayerNormalization"), OperatorType.onnx("Softmax"));
        for (GraphInfo g : List.of(vision, embed, decoder)) {
            assertThat(g.operatorCounts().keySet()).allMatch(op -> op.domain().equals(OperatorType.ONNX));
            assertThat(GraphTraits.batchingOperators(g)).isEmpty();
        }

        GraphTraits traits = GraphTraits.of(Map.of(OnnxGraph.VISION_ENCODER, vision, OnnxGraph.EMBED_TOKENS, embed,
                OnnxGraph.DECODER, decoder));
        GraphTraits.DecoderTraits d = traits.decoder();
        assertThat(d.positionIds()).isTrue();
        assertThat(d.numLogitsToKeep()).isTrue();
        assertThat(d.groupQueryAttention()).isZero();
        assertThat(d.seqlensFromMask()).isFalse();
        assertThat(d.matMulNBits()).isEmpty();
        assertThat(d.float16Io()).isFalse();
        assertThat(d.cacheType()).isEqualTo("float32");
        // This project's vision graph computes each tile's position embeddings itself, no Resize.
        assertThat(traits.vision().positionEmbeddingsPerCall()).isFalse();
        assertThat(traits.vision().positionEmbeddingBasis()).isEqualTo("no Resize sized from spatial_shapes");
        assertThat(traits.embedTokensOutputType()).isEqualTo("float32");
    }

    @Test
    void liquidStyleDecoderWithFusedOperators() throws IOException {
        GraphInfo g = GraphInfo.read(TestGraphs.write(tmp.resolve("decoder_q4.onnx"), TestGraphs.liquidDecoder()));
        assertThat(g.inputs()).extracting(TensorDecl::toString).containsExactly(
                "inputs_embeds float16 [batch_size, sequence_length, 64]",
                "attention_mask int64 [batch_size, total_sequence_length]",
                "past_key_values.0.key float16 [batch_size, 2, past_sequence_length, 16]",
                "past_key_values.0.value float16 [batch_size, 2, past_sequence_length, 16]");
        assertThat(g.output("logits")).hasValueSatisfying(t -> assertThat(t.elementType()).isEqualTo("float32"));
        assertThat(g.opsets()).containsEntry("com.microsoft", 1L).containsEntry(OperatorType.ONNX, 18L);
        assertThat(g.producer()).isEqualTo("test");
        assertThat(GraphTraits.batchingOperators(g)).containsExactly(
                Map.entry(OperatorType.onnx("SimplifiedLayerNormalization"), 1),
                Map.entry(OperatorType.microsoft("GroupQueryAttention"), 1),
                Map.entry(OperatorType.microsoft("MatMulNBits"), 3),
                Map.entry(OperatorType.microsoft("SkipSimplifiedLayerNormalization"), 1));
        GraphNode gqa = g.nodesOf(OperatorType.microsoft("GroupQueryAttention")).get(0);
        assertThat(gqa.intAttributes()).containsEntry("do_rotary", 1L).containsEntry("kv_num_heads", 2L);
        assertThat(g.derivedFrom("attention_mask")).contains("seqlens_k", "total_sequence_length", "attn", "logits")
                .doesNotContain("h", "q");

        GraphTraits.DecoderTraits d = GraphTraits.decoder(g);
        assertThat(d.positionIds()).isFalse();
        assertThat(d.numLogitsToKeep()).isFalse();
        assertThat(d.groupQueryAttention()).isEqualTo(1);
        assertThat(d.seqlensFromMask()).isTrue();
        assertThat(d.rotaryInAttention()).isTrue();
        assertThat(d.rotaryEmbedding()).isZero();
        assertThat(d.matMulNBits()).containsExactly(4L);
        assertThat(d.embedsType()).isEqualTo("float16");
        assertThat(d.cacheType()).isEqualTo("float16");
        assertThat(d.logitsType()).isEqualTo("float32");
        assertThat(d.float16Io()).isTrue();
    }

    @Test
    void seqlensNotFromTheMaskIsNotClaimed() throws IOException {
        // seqlens_k fed as a graph input: the mask does not decide it.
        OnnxMl.ModelProto m = TestGraphs.liquidDecoder();
        OnnxMl.GraphProto.Builder g = m.getGraph().toBuilder()
                .addInput(TestGraphs.value("seqlens_override", OnnxMl.TensorProto.DataType.INT32, "batch_size"));
        for (int i = 0; i < g.getNodeCount(); i++) {
            if (g.getNode(i).getOpType().equals("GroupQueryAttention")) {
                g.setNode(i, g.getNode(i).toBuilder().setInput(5, "seqlens_override"));
            }
        }
        GraphInfo info = GraphInfo.read(TestGraphs.write(tmp.resolve("d.onnx"), m.toBuilder().setGraph(g).build()));
        assertThat(GraphTraits.decoder(info).seqlensFromMask()).isFalse();
    }

    @Test
    void liquidStyleVisionResizesPositionEmbeddingsPerCall() throws IOException {
        GraphInfo g = GraphInfo.read(TestGraphs.write(tmp.resolve("vision_encoder_q8.onnx"), TestGraphs.liquidVision(false)));
        GraphTraits.VisionTraits v = GraphTraits.vision(g);
        assertThat(v.positionEmbeddingsPerCall()).isTrue();
        assertThat(v.positionEmbeddingBasis())
                .isEqualTo("Resize 'Resize_interp/resized' sized from spatial_shapes in the main graph: one grid per call");
        assertThat(v.multiHeadAttention()).isEqualTo(1);
        assertThat(v.matMulNBits()).containsExactly(8L);
        assertThat(v.featuresType()).isEqualTo("float32");

        GraphInfo looped = GraphInfo.read(TestGraphs.write(tmp.resolve("looped.onnx"), TestGraphs.liquidVision(true)));
        assertThat(looped.nodesOf(OperatorType.onnx("Resize"))).singleElement().satisfies(n -> assertThat(n.depth()).isEqualTo(1));
        GraphTraits.VisionTraits lv = GraphTraits.vision(looped);
        assertThat(lv.positionEmbeddingsPerCall()).isFalse();
        assertThat(lv.positionEmbeddingBasis()).contains("inside a subgraph body");
    }

    @Test
    void weightsAreSkippedNotRead() throws IOException {
        // A model whose one initializer holds 1.5 GB, served by a stream that has no such bytes: the
        // parser must skip them (InputStream.skip, a seek on a file) and still read the nodes after.
        long weightBytes = 1_500_000_000L;
        OnnxMl.TensorProto tensorHead = OnnxMl.TensorProto.newBuilder().setName("big")
                .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber()).addDims(weightBytes / 4).build();
        OnnxMl.GraphProto graphTail = OnnxMl.GraphProto.newBuilder()
                .addNode(TestGraphs.onnx("Gather", List.of("big", "input_ids"), "inputs_embeds"))
                .addInput(TestGraphs.value("input_ids", OnnxMl.TensorProto.DataType.INT64, "batch_size", "sequence_length"))
                .addOutput(TestGraphs.value("inputs_embeds", OnnxMl.TensorProto.DataType.FLOAT, "batch_size", "sequence_length", 1000))
                .build();
        byte[] tensorHeadBytes = tensorHead.toByteArray();
        long tensorLength = tensorHeadBytes.length + 1 + CodedOutputStream.computeUInt64SizeNoTag(weightBytes) + weightBytes;
        long graphLength = 1 + CodedOutputStream.computeUInt64SizeNoTag(tensorLength) + tensorLength + graphTail.getSerializedSize();

        ByteArrayOutputStream head = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(head);
        out.writeInt64(1, 9);
        out.writeMessage(8, OnnxMl.OperatorSetIdProto.newBuilder().setVersion(18).build());
        out.writeTag(7, 2);
        out.writeUInt64NoTag(graphLength);
        out.writeTag(5, 2);
        out.writeUInt64NoTag(tensorLength);
        out.writeRawBytes(tensorHeadBytes);
        out.writeTag(9, 2);
        out.writeUInt64NoTag(weightBytes);
        out.flush();

        SparseStream stream = new SparseStream(head.toByteArray(), weightBytes, graphTail.toByteArray());
        GraphInfo info = GraphInfo.parse(stream, tmp.resolve("huge.onnx"));

        assertThat(info.weights().initializers()).isEqualTo(1);
        assertThat(info.weights().inlineBytes()).isEqualTo(weightBytes);
        assertThat(info.nodes()).extracting(n -> n.op().name()).containsExactly("Gather");
        assertThat(info.inputs()).extracting(TensorDecl::name).containsExactly("input_ids");
        assertThat(info.outputs()).extracting(TensorDecl::toString).containsExactly("inputs_embeds float32 [batch_size, sequence_length, 1000]");
        assertThat(stream.skipped).isGreaterThan(weightBytes - (1 << 20));
        assertThat(stream.delivered).isLessThan(1 << 20);
    }

    @Test
    void namesExternalDataAndLeavesInitializersOutOfInputs() throws IOException {
        OnnxMl.TensorProto external = OnnxMl.TensorProto.newBuilder().setName("w").addDims(1000)
                .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
                .setDataLocation(OnnxMl.TensorProto.DataLocation.EXTERNAL)
                .addExternalData(OnnxMl.StringStringEntryProto.newBuilder().setKey("location").setValue("m.onnx_data"))
                .addExternalData(OnnxMl.StringStringEntryProto.newBuilder().setKey("length").setValue("4000"))
                .build();
        OnnxMl.GraphProto g = OnnxMl.GraphProto.newBuilder()
                .addInitializer(external)
                // IR 3 exporters also list initializers among the inputs.
                .addInput(TestGraphs.value("w", OnnxMl.TensorProto.DataType.FLOAT, 1000))
                .addInput(TestGraphs.value("x", OnnxMl.TensorProto.DataType.FLOAT, "n"))
                .addNode(TestGraphs.onnx("Mul", List.of("x", "w"), "y"))
                .addOutput(TestGraphs.value("y", OnnxMl.TensorProto.DataType.FLOAT, "n"))
                .build();
        Path file = TestGraphs.write(tmp.resolve("m.onnx"), TestGraphs.model(g));
        GraphInfo info = GraphInfo.read(file);
        assertThat(info.inputs()).extracting(TensorDecl::name).containsExactly("x");
        assertThat(info.weights().externalFiles()).containsExactly("m.onnx_data");
        assertThat(info.weights().externalBytes()).isEqualTo(4000);
        assertThat(info.missingExternalData()).containsExactly("m.onnx_data");
        Files.write(tmp.resolve("m.onnx_data"), new byte[4000]);
        assertThat(info.missingExternalData()).isEmpty();
    }

    @Test
    void aFileThatIsNotOnnxIsAShortError() throws IOException {
        Path file = Files.writeString(tmp.resolve("decoder.onnx"), "<html>404 Not Found</html>");
        assertThatThrownBy(() -> GraphInfo.read(file))
                .isInstanceOf(ModelFolderException.class)
                .hasMessageStartingWith(file + " is not an ONNX model (");
    }

    private static List<TensorDecl> declared(Map<String, NodeInfo> nodes) {
        List<TensorDecl> out = new ArrayList<>();
        nodes.forEach((name, node) -> {
            TensorInfo t = (TensorInfo) node.getInfo();
            List<String> shape = new ArrayList<>();
            String[] names = t.getDimensionNames();
            long[] dims = t.getShape();
            for (int i = 0; i < dims.length; i++) {
                shape.add(dims[i] >= 0 ? Long.toString(dims[i]) : names[i]);
            }
            out.add(new TensorDecl(name, type(t.type), shape));
        });
        return out;
    }

    private static String type(OnnxJavaType t) {
        return switch (t) {
            case FLOAT -> "float32";
            case FLOAT16 -> "float16";
            case INT64 -> "int64";
            case INT32 -> "int32";
            default -> t.name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static long fileSize(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Head bytes, then {@code gap} bytes that exist only as a count, then tail bytes; counts what is read and skipped. */
    private static final class SparseStream extends InputStream {
        private final byte[] head;
        private final long gap;
        private final byte[] tail;
        private long pos;
        long delivered;
        long skipped;

        SparseStream(byte[] head, long gap, byte[] tail) {
            this.head = head;
            this.gap = gap;
            this.tail = tail;
        }

        private long size() {
            return head.length + gap + tail.length;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos >= size()) {
                return -1;
            }
            int n = 0;
            while (n < len && pos < size()) {
                if (pos < head.length) {
                    b[off + n] = head[(int) pos];
                } else if (pos < head.length + gap) {
                    b[off + n] = 0;
                } else {
                    b[off + n] = tail[(int) (pos - head.length - gap)];
                }
                pos++;
                n++;
            }
            delivered += n;
            return n;
        }

        @Override
        public long skip(long n) {
            long k = Math.max(0, Math.min(n, size() - pos));
            pos += k;
            skipped += k;
            return k;
        }
    }
}
