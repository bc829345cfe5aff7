package io.vlmstreams.convert;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlmstreams.convert.precision.Tensors;
import io.vlmstreams.convert.precision.WeightMatMul;
import io.vlmstreams.convert.precision.WeightMatMuls;
import io.vlmstreams.devstack.Fixtures;
import io.vlmstreams.inference.engine.EngineConfig;
import io.vlmstreams.inference.engine.GenerationSettings;
import io.vlmstreams.inference.engine.InferenceRequest;
import io.vlmstreams.inference.engine.InferenceResult;
import io.vlmstreams.inference.engine.LocalInferenceEngine;
import io.vlmstreams.inference.engine.Outcome;
import io.vlmstreams.inference.model.OnnxDtype;
import io.vlmstreams.inference.model.OnnxGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One conversion of the tiny upstream checkpoint into every onnx-community precision: the folder
 * holds each graph in each precision under its published suffix, config.json describes them,
 * every file loads in ONNX Runtime with the operators its precision is made of, and the engine
 * loads each variant and answers. The Liquid AI precisions are checked as passes over the same
 * fp32 graphs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrecisionVariantsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<OnnxDtype> ALL = List.of(OnnxDtype.FP32, OnnxDtype.FP16, OnnxDtype.Q8, OnnxDtype.INT8,
            OnnxDtype.UINT8, OnnxDtype.Q4, OnnxDtype.Q4F16);
    private static final List<OnnxGraph> GRAPHS = List.of(OnnxGraph.VISION_ENCODER, OnnxGraph.EMBED_TOKENS, OnnxGraph.DECODER);

    private Path folder;
    private CheckpointConverter.Result result;
    private final Map<OnnxGraph, ModelProto> fp32 = new LinkedHashMap<>();

    @BeforeAll
    void convert(@TempDir Path temp) throws IOException {
        folder = temp.resolve("tiny-all");
        result = new CheckpointConverter().convert(Fixtures.tinyCheckpoint(), folder, ALL, Layout.ONNX_COMMUNITY);
        for (OnnxGraph g : GRAPHS) {
            fp32.put(g, model(g, ""));
        }
    }

    @Test
    void theFolderHoldsEveryGraphInEveryPrecisionAndNamesTheFirstTheDefault() throws IOException {
        Set<String> expected = new HashSet<>();
        for (OnnxGraph g : GRAPHS) {
            for (String suffix : List.of("", "_fp16", "_quantized", "_int8", "_uint8", "_q4", "_q4f16")) {
                expected.add(g.stem() + suffix + ".onnx");
            }
        }
        assertThat(onnxFiles(folder)).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(result.graphs()).hasSize(expected.size());
        JsonNode js = JSON.readTree(folder.resolve("config.json").toFile()).path("transformers.js_config");
        assertThat(js.path("dtype").asText()).isEqualTo("fp32");
        assertThat(js.has("use_external_data_format")).isFalse();

        // converting again into the same folder adds up: the new default, every earlier file kept
        new CheckpointConverter().convert(Fixtures.tinyCheckpoint(), folder, List.of(OnnxDtype.Q4, OnnxDtype.FP16),
                Layout.ONNX_COMMUNITY);
        assertThat(onnxFiles(folder)).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(JSON.readTree(folder.resolve("config.json").toFile()).path("transformers.js_config").path("dtype").asText())
                .isEqualTo("q4");
    }

    @Test
    void aGraphMissingThePreferredPrecisionIsNamedWithTheVariantItHas(@TempDir Path temp) throws IOException {
        Path partial = temp.resolve("partial");
        new CheckpointConverter(0).convert(Fixtures.tinyCheckpoint(), partial, List.of(OnnxDtype.Q4, OnnxDtype.FP32),
                Layout.ONNX_COMMUNITY);
        Files.delete(partial.resolve("onnx/embed_tokens_q4.onnx"));
        Files.delete(partial.resolve("onnx/embed_tokens_q4.onnx_data"));
        CompanionFiles.describeGraphs(partial, OnnxDtype.Q4);
        JsonNode js = JSON.readTree(partial.resolve("config.json").toFile()).path("transformers.js_config");
        assertThat(js.path("dtype").isObject()).isTrue();
        assertThat(js.path("dtype").path("vision_encoder").asText()).isEqualTo("q4");
        assertThat(js.path("dtype").path("decoder_model_merged").asText()).isEqualTo("q4");
        assertThat(js.path("dtype").path("embed_tokens").asText()).isEqualTo("fp32");
        // every file with external data is listed, and only those
        Set<String> listed = new HashSet<>();
        js.path("use_external_data_format").fieldNames().forEachRemaining(listed::add);
        Set<String> withData = onnxFiles(partial).stream()
                .filter(f -> Files.isRegularFile(partial.resolve("onnx").resolve(f + "_data"))).collect(Collectors.toSet());
        assertThat(listed).isEqualTo(withData).contains("decoder_model_merged_q4.onnx", "embed_tokens.onnx");
    }

    @Test
    void eachVariantLoadsInOnnxRuntimeWithTheOperatorsOfItsPrecision() throws Exception {
        for (OnnxGraph graph : GRAPHS) {
            List<WeightMatMul> weights = WeightMatMuls.find(fp32.get(graph).getGraph());
            Set<String> activations = weights.stream().map(WeightMatMul::input).collect(Collectors.toSet());
            int n = weights.size();
            for (OnnxDtype d : ALL) {
                String suffix = Toolchain.TRANSFORMERS_JS.recipe(d).suffix();
                ModelProto m = model(graph, suffix);
                try (OrtSession s = GraphRuns.ENV.createSession(folder.resolve("onnx/" + graph.stem() + suffix + ".onnx").toString(),
                        new OrtSession.SessionOptions())) {
                    assertThat(s.getInputNames()).containsExactlyInAnyOrderElementsOf(names(fp32.get(graph).getGraph().getInputList()));
                }
                String what = graph.stem() + suffix;
                // the interface never changes type in the onnx-community precisions
                assertThat(m.getGraph().getInputList()).as(what).isEqualTo(fp32.get(graph).getGraph().getInputList());
                assertThat(m.getGraph().getOutputList()).as(what).isEqualTo(fp32.get(graph).getGraph().getOutputList());
                Map<String, Long> ops = m.getGraph().getNodeList().stream()
                        .collect(Collectors.groupingBy(NodeProto::getOpType, Collectors.counting()));
                boolean quantized = d != OnnxDtype.FP32 && d != OnnxDtype.FP16;
                if (quantized) {
                    assertThat(WeightMatMuls.find(m.getGraph())).as("%s: float weight MatMuls left", what).isEmpty();
                }
                switch (d) {
                    case Q8, INT8, UINT8 -> {
                        assertThat(ops.getOrDefault("MatMulInteger", 0L)).as(what).isEqualTo(n);
                        assertThat(ops.getOrDefault("DynamicQuantizeLinear", 0L)).as(what).isEqualTo(activations.size());
                        // q8 stores uint8 weights where the graph has a Conv (the decoder), int8 elsewhere
                        boolean unsigned = d == OnnxDtype.UINT8 || (d == OnnxDtype.Q8 && graph == OnnxGraph.DECODER);
                        int type = unsigned ? TensorProto.DataType.UINT8_VALUE : TensorProto.DataType.INT8_VALUE;
                        assertThat(m.getGraph().getInitializerList()).filteredOn(t -> t.getName().endsWith("_quantized"))
                                .as(what).hasSize(n).allMatch(t -> t.getDataType() == type);
                    }
                    case Q4, Q4F16 -> {
                        List<NodeProto> nbits = m.getGraph().getNodeList().stream()
                                .filter(x -> x.getOpType().equals("MatMulNBits")).toList();
                        assertThat(nbits).as(what).hasSize(n).allSatisfy(x -> {
                            assertThat(x.getDomain()).isEqualTo("com.microsoft");
                            assertThat(intAttributes(x)).containsEntry("bits", 4L).containsEntry("block_size", 32L)
                                    .doesNotContainKey("accuracy_level");
                        });
                        // q4f16 stores the float weights q4 leaves (scales, tables) in float16, when they are large enough
                        boolean largeFloatsInQ4 = model(graph, "_q4").getGraph().getInitializerList().stream()
                                .anyMatch(t -> t.getDataType() == TensorProto.DataType.FLOAT_VALUE
                                        && Tensors.elementCount(t) >= Float16Weights.MIN_ELEMENTS);
                        assertThat(hasHalfInitializers(m)).as(what).isEqualTo(d == OnnxDtype.Q4F16 && largeFloatsInQ4);
                    }
                    case FP16 -> assertThat(hasHalfInitializers(m)).as(what).isTrue();
                    default -> assertThat(ops).as(what).doesNotContainKeys("MatMulNBits", "MatMulInteger");
                }
            }
            System.out.printf("%s: %d weight MatMuls (%d distinct inputs) rewritten in each quantized variant%n",
                    graph.stem(), n, activations.size());
        }
    }

    @Test
    void theLiquidPrecisionsQuantizeWithMatMulNBitsAndKeepTheLmHeadFloat() {
        ModelProto decoder = fp32.get(OnnxGraph.DECODER);
        int n = WeightMatMuls.find(decoder.getGraph()).size();
        for (OnnxDtype d : List.of(OnnxDtype.Q8, OnnxDtype.Q4)) {
            ModelProto q = Toolchain.LIQUIDONNX.recipe(d).apply(decoder);
            List<NodeProto> nbits = q.getGraph().getNodeList().stream().filter(x -> x.getOpType().equals("MatMulNBits")).toList();
            assertThat(nbits).hasSize(n - 1).allSatisfy(x -> assertThat(intAttributes(x))
                    .containsEntry("bits", d == OnnxDtype.Q8 ? 8L : 4L).containsEntry("block_size", 32L).containsEntry("accuracy_level", 4L));
            List<WeightMatMul> left = WeightMatMuls.find(q.getGraph());
            assertThat(left).singleElement().satisfies(m -> assertThat(m.outputReached()).isEqualTo("logits"));
        }
        assertThat(Toolchain.LIQUIDONNX.recipe(OnnxDtype.Q8).suffix()).isEqualTo("_q8");
        assertThat(Toolchain.TRANSFORMERS_JS.recipe(OnnxDtype.Q8).suffix()).isEqualTo("_quantized");
        assertThat(Toolchain.LIQUIDONNX.writes(OnnxGraph.EMBED_TOKENS, OnnxDtype.Q4)).isFalse();
        assertThat(Toolchain.LIQUIDONNX.writes(OnnxGraph.EMBED_TOKENS, OnnxDtype.FP16)).isTrue();
        assertThat(Toolchain.LIQUIDONNX.writes(OnnxGraph.DECODER, OnnxDtype.Q4)).isTrue();
        assertThat(Toolchain.TRANSFORMERS_JS.writes(OnnxGraph.EMBED_TOKENS, OnnxDtype.Q4)).isTrue();
    }

    @Test
    void anAccuracyLevelGivenOverridesTheToolchainsOnEveryMatMulNBitsAndTheGraphStillAnswers(@TempDir Path temp) throws IOException {
        Path out = temp.resolve("q4-level4");
        new CheckpointConverter().withAccuracyLevel(4).convert(Fixtures.tinyCheckpoint(), out, List.of(OnnxDtype.Q4),
                Layout.ONNX_COMMUNITY);
        for (OnnxGraph graph : GRAPHS) {
            ModelProto m = ModelProto.parseFrom(Files.readAllBytes(out.resolve("onnx/" + graph.stem() + "_q4.onnx")));
            List<NodeProto> nbits = m.getGraph().getNodeList().stream().filter(x -> x.getOpType().equals("MatMulNBits")).toList();
            assertThat(nbits).as(graph.stem()).hasSize(WeightMatMuls.find(fp32.get(graph).getGraph()).size())
                    .allSatisfy(x -> assertThat(intAttributes(x)).containsEntry("accuracy_level", 4L));
        }
        ModelProto liquidQ4 = new io.vlmstreams.convert.precision.AccuracyLevel(0)
                .apply(Toolchain.LIQUIDONNX.recipe(OnnxDtype.Q4).apply(fp32.get(OnnxGraph.DECODER)));
        assertThat(liquidQ4.getGraph().getNodeList()).filteredOn(x -> x.getOpType().equals("MatMulNBits")).isNotEmpty()
                .allSatisfy(x -> assertThat(intAttributes(x)).doesNotContainKey("accuracy_level"));
        try (LocalInferenceEngine engine = LocalInferenceEngine.open(EngineConfig.defaults(out).withDtype("q4"))) {
            Outcome o = engine.runBatch(List.of(InferenceRequest.generate("a",
                    Files.readAllBytes(Fixtures.upstream().resolve("images/coins.png")), "Describe this image.",
                    GenerationSettings.greedy(4)))).get(0);
            assertThat(o).isInstanceOf(Outcome.Success.class);
            assertThat(((Outcome.Success) o).result().tokenIds()).hasSize(4);
        }
        assertThatThrownBy(() -> new CheckpointConverter().withAccuracyLevel(5)).hasMessageContaining("0..4");
    }

    @Test
    void aPrecisionTheToolchainDoesNotPublishIsAShortError(@TempDir Path temp) {
        assertThatThrownBy(() -> new CheckpointConverter().convert(Fixtures.tinyCheckpoint(), temp.resolve("x"),
                List.of(OnnxDtype.FP32, OnnxDtype.BNB4), Layout.ONNX_COMMUNITY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the converter writes fp32, fp16, q8, int8, uint8, q4, q4f16 for this layout, not bnb4");
        assertThat(temp.resolve("x")).doesNotExist();
        assertThatThrownBy(() -> Toolchain.LIQUIDONNX.recipe(OnnxDtype.INT8)).hasMessageContaining("fp32, fp16, q8, q4, q4f16");
    }

    @Test
    void theEngineLoadsEachVariantAndAnswers() {
        Map<OnnxDtype, long[]> tokens = new LinkedHashMap<>();
        for (OnnxDtype d : ALL) {
            try (LocalInferenceEngine engine = LocalInferenceEngine.open(EngineConfig.defaults(folder).withDtype(d.label()))) {
                byte[] image = Files.readAllBytes(Fixtures.upstream().resolve("images/coins.png"));
                List<Outcome> out = engine.runBatch(List.of(
                        InferenceRequest.generate("r", image, "Describe this image.", GenerationSettings.greedy(12))));
                assertThat(out.get(0)).as(d.label()).isInstanceOf(Outcome.Success.class);
                InferenceResult r = ((Outcome.Success) out.get(0)).result();
                assertThat(r.tokenIds()).as(d.label()).hasSize(12);
                tokens.put(d, r.tokenIds());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        List<String> lines = new ArrayList<>();
        tokens.forEach((d, t) -> lines.add(String.format("%-6s %s", d.label(), java.util.Arrays.toString(t))));
        System.out.println("engine, coins.png, 12 greedy tokens per precision:\n  " + String.join("\n  ", lines));
        // fp16 rounds the weights only: greedy decoding of the tiny model does not notice
        assertThat(tokens.get(OnnxDtype.FP16)).containsExactly(tokens.get(OnnxDtype.FP32));
    }

    private ModelProto model(OnnxGraph graph, String suffix) throws IOException {
        return ModelProto.parseFrom(Files.readAllBytes(folder.resolve("onnx/" + graph.stem() + suffix + ".onnx")));
    }

    private static boolean hasHalfInitializers(ModelProto m) {
        return m.getGraph().getInitializerList().stream().anyMatch(t -> t.getDataType() == TensorProto.DataType.FLOAT16_VALUE);
    }

    private static Map<String, Long> intAttributes(NodeProto node) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (AttributeProto a : node.getAttributeList()) {
            out.put(a.getName(), a.getI());
        }
        return out;
    }

    private static List<String> names(List<OnnxMl.ValueInfoProto> values) {
        return values.stream().map(OnnxMl.ValueInfoProto::getName).toList();
    }

    private static Set<String> onnxFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("onnx"))) {
            return files.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".onnx")).collect(Collectors.toSet());
        }
    }
}
