package io.vlmstreams.convert;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlmstreams.devstack.Fixtures;
import io.vlmstreams.inference.io.Npy;
import io.vlmstreams.inference.io.NpyArray;
import io.vlmstreams.inference.model.Lfm2VlConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The three liquid-layout graphs built from the tiny upstream checkpoint, driven directly in ONNX Runtime (CPU) at
 * batch 1, fp32: the vision encoder (one call per tile shape) on upstream's golden pixels, embed_tokens, the merge of
 * image features into the prompt, and the GroupQueryAttention decoder with each {@link Rotary} placement must give
 * upstream's 12 greedy tokens on every reference image, with step logits close to upstream's. Also: prefill in chunks
 * on top of a cache equals one prefill, and the decoder declares the published interface.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LiquidDecoderParityTest {

    private static final List<String> IMAGES = List.of("Storm.jpg", "coins.png", "motorcycle_right.png", "text.png");
    private static final double LOGIT_ABS_TOLERANCE = 1e-3;
    private static final double LOGIT_REL_TOLERANCE = 1e-4;
    private static final double CHUNK_TOLERANCE = 1e-4;

    private Path tiny;
    private Lfm2VlConfig cfg;
    private OrtEnvironment env;
    private OrtSession vision;
    private OrtSession embed;
    private final Map<Rotary, OrtSession> decoders = new EnumMap<>(Rotary.class);
    private final Map<Rotary, OnnxMl.ModelProto> decoderModels = new EnumMap<>(Rotary.class);
    private Map<String, List<GoldenTiles.Tile>> tiles;
    private Map<String, NpyArray> reference;
    private final Map<String, JsonNode> generations = new LinkedHashMap<>();

    @BeforeAll
    void buildGraphs() throws Exception {
        tiny = Fixtures.tinyCheckpoint();
        cfg = Lfm2VlConfig.read(tiny.resolve("config.json"));
        env = OrtEnvironment.getEnvironment();
        try (SafetensorsReader weights = SafetensorsReader.open(tiny);
             OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            vision = env.createSession(LiquidVisionGraphs.visionEncoder(cfg, weights).toByteArray(), options);
            embed = env.createSession(DecoderGraphs.embedTokens(cfg, weights).toByteArray(), options);
            for (Rotary r : Rotary.values()) {
                OnnxMl.ModelProto model = LiquidDecoderGraphs.decoder(cfg, weights, r);
                decoderModels.put(r, model);
                decoders.put(r, env.createSession(model.toByteArray(), options));
            }
        }
        tiles = GoldenTiles.load(IMAGES);
        reference = Npy.readNpz(tiny.resolve("reference_tensors.npz"));
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(tiny.resolve("reference_generations.jsonl"))) {
            if (!line.isBlank()) {
                JsonNode rec = json.readTree(line);
                generations.put(rec.path("image").asText(), rec);
            }
        }
        assertThat(generations.keySet()).containsExactlyInAnyOrderElementsOf(IMAGES);
    }

    @AfterAll
    void close() throws OrtException {
        for (OrtSession s : decoders.values()) {
            s.close();
        }
        if (vision != null) {
            vision.close();
        }
        if (embed != null) {
            embed.close();
        }
    }

    Stream<Arguments> imagesByRotary() {
        return Arrays.stream(Rotary.values()).flatMap(r -> IMAGES.stream().map(i -> Arguments.of(r, i)));
    }

    @ParameterizedTest
    @EnumSource(Rotary.class)
    void declaresThePublishedInterface(Rotary rotary) throws OrtException {
        OrtSession decoder = decoders.get(rotary);
        Map<String, NodeInfo> in = decoder.getInputInfo();
        assertThat(in).containsOnlyKeys("inputs_embeds", "attention_mask", "past_conv.0", "past_conv.2",
                "past_key_values.1.key", "past_key_values.1.value", "past_key_values.3.key", "past_key_values.3.value");
        assertThat(decoder.getOutputInfo()).containsOnlyKeys("logits", "present_conv.0", "present_conv.2",
                "present.1.key", "present.1.value", "present.3.key", "present.3.value");
        assertThat(decoder.getOutputNames().iterator().next()).isEqualTo("logits");
        assertThat(((TensorInfo) in.get("past_key_values.1.key").getInfo()).getShape()).containsExactly(-1, 2, -1, 16);
        assertThat(((TensorInfo) in.get("past_conv.0").getInfo()).getShape()).containsExactly(-1, 64, 3);
        assertThat(((TensorInfo) decoder.getOutputInfo().get("logits").getInfo()).getShape()).containsExactly(-1, -1, 400);
    }

    @ParameterizedTest
    @MethodSource("imagesByRotary")
    void greedyGenerationMatchesUpstream(Rotary rotary, String image) throws OrtException {
        long[] ids = reference.get(image + "/input_ids").asLongs();
        float[][] expectedLogits = GraphRuns.rows(reference.get(image + "/step_logits"));
        List<Long> expectedTokens = new ArrayList<>();
        generations.get(image).path("token_ids").forEach(n -> expectedTokens.add(n.asLong()));
        assertThat(expectedTokens).hasSize(12);
        int vocab = cfg.text().vocabSize();

        DecoderRun run = new DecoderRun(env, decoders.get(rotary), 1);
        float[] logits = run.step(promptEmbeds(image, ids), ids.length, GraphRuns.ones(ids.length));
        float[] last = Arrays.copyOfRange(logits, (ids.length - 1) * vocab, ids.length * vocab);
        List<Long> tokens = new ArrayList<>();
        double worstAbs = 0;
        double worstRel = 0;
        for (int step = 0; step < expectedLogits.length; step++) {
            GraphRuns.Diff d = GraphRuns.Diff.of(last, expectedLogits[step]);
            worstAbs = Math.max(worstAbs, d.maxAbs());
            worstRel = Math.max(worstRel, d.maxRel());
            assertThat(d.maxAbs()).as("%s %s step %d max abs logit diff", rotary, image, step).isLessThanOrEqualTo(LOGIT_ABS_TOLERANCE);
            assertThat(d.maxRel()).as("%s %s step %d max rel logit diff", rotary, image, step).isLessThanOrEqualTo(LOGIT_REL_TOLERANCE);
            long token = GraphRuns.argmax(last);
            tokens.add(token);
            if (step + 1 == expectedLogits.length) {
                break;
            }
            last = run.step(embed(new long[] {token}), 1, GraphRuns.ones(ids.length + step + 1));
        }
        System.out.printf("liquid decoder (rotary %s) %s: prompt %d tokens, %d steps, max |logit diff| %.3g (max rel %.3g), tokens %s%n",
                rotary.label(), image, ids.length, tokens.size(), worstAbs, worstRel, tokens);
        assertThat(tokens).isEqualTo(expectedTokens);
    }

    @ParameterizedTest
    @EnumSource(Rotary.class)
    void chunkedPrefillMatchesOnePrefill(Rotary rotary) throws OrtException {
        String image = "text.png";
        long[] ids = reference.get(image + "/input_ids").asLongs();
        int length = ids.length;
        int hidden = cfg.text().hiddenSize();
        int vocab = cfg.text().vocabSize();
        float[] embeds = promptEmbeds(image, ids);
        float[] whole = new DecoderRun(env, decoders.get(rotary), 1).step(embeds, length, GraphRuns.ones(length));

        // a first chunk shorter than conv_L_cache, a multi-token chunk on top of a cache, single tokens, the rest
        int first = cfg.text().convLCache() - 1;
        int[] chunks = {first, 5, 1, 1, length - first - 7};
        DecoderRun chunked = new DecoderRun(env, decoders.get(rotary), 1);
        float[] pieces = new float[length * vocab];
        int done = 0;
        for (int size : chunks) {
            float[] part = Arrays.copyOfRange(embeds, done * hidden, (done + size) * hidden);
            float[] logits = chunked.step(part, size, GraphRuns.ones(done + size));
            System.arraycopy(logits, 0, pieces, done * vocab, size * vocab);
            done += size;
        }
        assertThat(done).isEqualTo(length);
        GraphRuns.Diff d = GraphRuns.Diff.of(pieces, whole);
        System.out.printf("liquid decoder (rotary %s) %s chunked %s vs one prefill: max |logit diff| %.3g%n",
                rotary.label(), image, Arrays.toString(chunks), d.maxAbs());
        assertThat(d.maxAbs()).isLessThanOrEqualTo(CHUNK_TOLERANCE);
    }

    @Test
    void usesTheFusedOperatorsOfThePublishedDecoder() {
        int attention = (int) cfg.text().layerTypes().stream().filter("full_attention"::equals).count();
        int layers = cfg.text().numHiddenLayers();
        for (Rotary rotary : Rotary.values()) {
            OnnxMl.ModelProto model = decoderModels.get(rotary);
            List<OnnxMl.NodeProto> gqa = GraphOps.nodes(model, "com.microsoft", "GroupQueryAttention");
            assertThat(gqa).as("%s GroupQueryAttention", rotary).hasSize(attention);
            for (OnnxMl.NodeProto node : gqa) {
                assertThat(GraphOps.intAttribute(node, "do_rotary")).isEqualTo(rotary == Rotary.GQA ? 1 : 0);
                assertThat(node.getInput(5)).as("seqlens_k").isNotEmpty();
                assertThat(GraphOps.feedsFrom(model, GraphOps.producer(model, node.getInput(5)), "attention_mask")).isTrue();
                OnnxMl.NodeProto seqlens = GraphOps.producer(model, node.getInput(5));
                assertThat(seqlens.getOpType()).isEqualTo("Cast");
                assertThat(GraphOps.intAttribute(seqlens, "to")).isEqualTo(OnnxMl.TensorProto.DataType.INT32.getNumber());
                assertThat(GraphOps.feedsFrom(model, GraphOps.producer(model, node.getInput(6)), "attention_mask")).isTrue();
                assertThat(node.getInput(7).isEmpty()).as("cos_cache absent").isEqualTo(rotary == Rotary.EMBEDDING);
            }
            assertThat(GraphOps.count(model, "com.microsoft", "RotaryEmbedding"))
                    .isEqualTo(rotary == Rotary.EMBEDDING ? 2 * attention : 0);
            // one plain norm (the first operator norm), q/k norms per attention layer; every residual add fused
            assertThat(GraphOps.count(model, "", "SimplifiedLayerNormalization")).isEqualTo(1 + 2 * attention);
            assertThat(GraphOps.count(model, "com.microsoft", "SkipSimplifiedLayerNormalization")).isEqualTo(2 * layers);
            assertThat(GraphOps.count(model, "", "Add")).isZero();
            assertThat(model.getGraph().getInputList()).noneMatch(i -> i.getName().equals("position_ids")
                    || i.getName().equals("num_logits_to_keep"));
        }
    }

    // ------------------------------------------------------------------ helpers

    /** The prompt's embeddings with the image tokens replaced, in order, by the liquid vision encoder's features. */
    private float[] promptEmbeds(String image, long[] ids) throws OrtException {
        float[][] features = GoldenTiles.encodeByShape(env, vision, tiles.get(image), cfg.downsampleFactor());
        int hidden = cfg.text().hiddenSize();
        float[] embeds = embed(ids);
        int next = 0;
        for (int p = 0; p < ids.length; p++) {
            if (ids[p] == cfg.imageTokenId()) {
                System.arraycopy(features[next++], 0, embeds, p * hidden, hidden);
            }
        }
        assertThat(next).as("image tokens vs feature rows of %s", image).isEqualTo(features.length);
        return embeds;
    }

    private float[] embed(long[] ids) throws OrtException {
        try (OnnxTensor input = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {1, ids.length});
             OrtSession.Result out = embed.run(Map.of("input_ids", input))) {
            return DecoderRun.copy((OnnxTensor) out.get("inputs_embeds").orElseThrow());
        }
    }
}
