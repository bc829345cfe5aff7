package io.vlmstreams.convert;

import io.vlmstreams.inference.io.Npy;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import ai.onnx.proto.OnnxMl;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlmstreams.inference.io.NpyArray;
import io.vlmstreams.inference.model.Lfm2VlConfig;
import io.vlmstreams.devstack.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the built embed_tokens and decoder_model_merged graphs in ONNX Runtime (CPU) against the tiny upstream
 * LFM2-VL checkpoint and its reference generations made with transformers 5.17: prefill plus greedy decode steps with
 * caches fed back must reproduce upstream's step logits and token ids, left-padded batches must reproduce each
 * row's solo run, and {@code num_logits_to_keep} must return exactly the last rows of the full logits.
 */
class DecoderParityTest {

    private static final double LOGIT_ABS_TOLERANCE = 1e-3;
    private static final double LOGIT_REL_TOLERANCE = 1e-4;
    private static final double BATCH_TOLERANCE = 1e-4;

    private static Path tiny;
    private static Lfm2VlConfig cfg;
    private static OrtEnvironment env;
    private static OrtSession embedSession;
    private static OrtSession decoderSession;
    private static Map<String, NpyArray> reference;
    private static Map<String, JsonNode> generations;

    @BeforeAll
    static void buildGraphs() throws Exception {
        tiny = Fixtures.tinyCheckpoint();
        cfg = Lfm2VlConfig.read(tiny.resolve("config.json"));
        OnnxMl.ModelProto embed;
        OnnxMl.ModelProto decoder;
        long checkpointParams = 0;
        try (SafetensorsReader weights = SafetensorsReader.open(tiny)) {
            embed = DecoderGraphs.embedTokens(cfg, weights);
            decoder = DecoderGraphs.decoderMerged(cfg, weights);
            for (String name : weights.namesWithPrefix("model.language_model.")) {
                checkpointParams += weights.info(name).elementCount();
            }
        }
        long params = OnnxGraphBuilder.parameterCount(decoder);
        System.out.printf("decoder_model_merged: %d parameters (checkpoint language tower: %d), %d nodes%n",
                params, checkpointParams, decoder.getGraph().getNodeCount());
        // the tied LM head reuses the embedding table, so the graph holds exactly the tower's parameters
        assertThat(params).isEqualTo(checkpointParams);
        assertThat(decoder.getGraph().getInitializerList())
                .filteredOn(t -> t.getName().contains("embed_tokens")).hasSize(1);

        env = OrtEnvironment.getEnvironment();
        embedSession = env.createSession(embed.toByteArray(), new OrtSession.SessionOptions());
        decoderSession = env.createSession(decoder.toByteArray(), new OrtSession.SessionOptions());
        reference = Npy.readNpz(Fixtures.tinyCheckpoint().resolve("reference_tensors.npz"));
        generations = new LinkedHashMap<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(tiny.resolve("reference_generations.jsonl"))) {
            if (!line.isBlank()) {
                JsonNode rec = json.readTree(line);
                generations.put(rec.path("image").asText(), rec);
            }
        }
    }

    @AfterAll
    static void close() throws OrtException {
        if (embedSession != null) {
            embedSession.close();
        }
        if (decoderSession != null) {
            decoderSession.close();
        }
    }

    static List<String> images() throws IOException {
        List<String> out = new ArrayList<>();
        Path jsonl = Fixtures.tinyCheckpoint().resolve("reference_generations.jsonl");
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(jsonl)) {
            if (!line.isBlank()) {
                out.add(json.readTree(line).path("image").asText());
            }
        }
        return out;
    }

    @Test
    void interfaceNamesAndDimsFollowTheContract() throws OrtException {
        Map<String, NodeInfo> in = decoderSession.getInputInfo();
        Map<String, NodeInfo> out = decoderSession.getOutputInfo();
        assertThat(in).containsKeys("inputs_embeds", "attention_mask", "position_ids", "num_logits_to_keep",
                "past_conv.0", "past_key_values.1.key", "past_key_values.1.value", "past_conv.2",
                "past_key_values.3.key", "past_key_values.3.value");
        assertThat(in).hasSize(4 + 2 + 4);
        assertThat(((TensorInfo) in.get("num_logits_to_keep").getInfo()).getShape()).isEmpty();
        assertThat(out).containsKeys("logits", "present_conv.0", "present.1.key", "present.1.value",
                "present_conv.2", "present.3.key", "present.3.value");
        assertThat(out).hasSize(1 + 2 + 4);
        assertThat(((TensorInfo) in.get("past_conv.0").getInfo()).getShape()).containsExactly(-1, 64, 3);
        assertThat(((TensorInfo) in.get("past_key_values.1.key").getInfo()).getShape()).containsExactly(-1, 2, -1, 16);
        assertThat(((TensorInfo) out.get("logits").getInfo()).getShape()).containsExactly(-1, -1, 400);
        assertThat(decoderSession.getOutputNames().iterator().next()).isEqualTo("logits");
        assertThat(embedSession.getInputInfo()).containsOnlyKeys("input_ids");
        assertThat(embedSession.getOutputInfo()).containsOnlyKeys("inputs_embeds");
    }

    @ParameterizedTest
    @MethodSource("images")
    void greedyGenerationMatchesUpstream(String image) throws OrtException {
        long[] ids = reference.get(image + "/input_ids").asLongs();
        float[][] expectedLogits = GraphRuns.rows(reference.get(image + "/step_logits"));
        List<Long> expectedTokens = new ArrayList<>();
        generations.get(image).path("token_ids").forEach(n -> expectedTokens.add(n.asLong()));
        int vocab = cfg.text().vocabSize();

        float[] embeds = mergedEmbeds(image, ids.length);
        Decoder decoder = new Decoder(1);
        float[] logits = decoder.step(embeds, ids.length, GraphRuns.ones(ids.length), range(0, ids.length));
        float[] last = Arrays.copyOfRange(logits, (ids.length - 1) * vocab, ids.length * vocab);

        List<Long> tokens = new ArrayList<>();
        double worstAbs = 0;
        double worstRel = 0;
        for (int step = 0; step < expectedLogits.length; step++) {
            GraphRuns.Diff d = GraphRuns.Diff.of(last, expectedLogits[step]);
            worstAbs = Math.max(worstAbs, d.maxAbs());
            worstRel = Math.max(worstRel, d.maxRel());
            assertThat(d.maxAbs()).as("%s step %d max abs logit diff", image, step).isLessThanOrEqualTo(LOGIT_ABS_TOLERANCE);
            assertThat(d.maxRel()).as("%s step %d max rel logit diff", image, step).isLessThanOrEqualTo(LOGIT_REL_TOLERANCE);
            long token = GraphRuns.argmax(last);
            tokens.add(token);
            if (step + 1 == expectedLogits.length) {
                break;
            }
            int total = ids.length + step + 1;
            last = decoder.step(embed(new long[] {token}), 1, GraphRuns.ones(total), new long[] {total - 1});
        }
        System.out.printf("%s: prompt %d tokens, %d steps, max |logit diff| %.3g (max rel %.3g), tokens %s%n",
                image, ids.length, tokens.size(), worstAbs, worstRel, tokens);
        assertThat(tokens).isEqualTo(expectedTokens);
    }

    @Test
    void leftPaddedBatchMatchesSoloRuns() throws OrtException, IOException {
        List<String> names = images();
        int[] lengths = {37, 24, 12};
        int rows = lengths.length;
        int maxLen = Arrays.stream(lengths).max().orElseThrow();
        int hidden = cfg.text().hiddenSize();
        int vocab = cfg.text().vocabSize();
        int decodeSteps = 4;

        // solo: prefill logits of every position, then greedy decode steps
        float[][] soloPrefill = new float[rows][];
        float[][][] soloDecode = new float[rows][decodeSteps][];
        long[][] soloTokens = new long[rows][decodeSteps];
        float[][] prompts = new float[rows][];
        for (int r = 0; r < rows; r++) {
            prompts[r] = mergedEmbeds(names.get(r), lengths[r]);
            Decoder solo = new Decoder(1);
            soloPrefill[r] = solo.step(prompts[r], lengths[r], GraphRuns.ones(lengths[r]), range(0, lengths[r]));
            float[] last = Arrays.copyOfRange(soloPrefill[r], (lengths[r] - 1) * vocab, lengths[r] * vocab);
            for (int s = 0; s < decodeSteps; s++) {
                soloTokens[r][s] = GraphRuns.argmax(last);
                int total = lengths[r] + s + 1;
                last = solo.step(embed(new long[] {soloTokens[r][s]}), 1, GraphRuns.ones(total), new long[] {total - 1});
                soloDecode[r][s] = last;
            }
        }

        // batched: left padding filled with the pad token's (non-zero) embedding, which the masks must neutralise
        float[] padRow = embed(new long[] {cfg.text().padTokenId()});
        float[] batchEmbeds = new float[rows * maxLen * hidden];
        long[] mask = new long[rows * maxLen];
        long[] positions = new long[rows * maxLen];
        for (int r = 0; r < rows; r++) {
            int pad = maxLen - lengths[r];
            for (int p = 0; p < maxLen; p++) {
                boolean real = p >= pad;
                System.arraycopy(real ? prompts[r] : padRow, real ? (p - pad) * hidden : 0,
                        batchEmbeds, (r * maxLen + p) * hidden, hidden);
                mask[r * maxLen + p] = real ? 1 : 0;
                positions[r * maxLen + p] = real ? p - pad : 1; // transformers.js cumsum_masked_fill
            }
        }
        Decoder batch = new Decoder(rows);
        float[] prefill = batch.step(batchEmbeds, maxLen, mask, positions);
        double worst = 0;
        for (int r = 0; r < rows; r++) {
            int pad = maxLen - lengths[r];
            float[] rowReal = Arrays.copyOfRange(prefill, (r * maxLen + pad) * vocab, (r + 1) * maxLen * vocab);
            worst = Math.max(worst, GraphRuns.Diff.of(rowReal, soloPrefill[r]).maxAbs());
        }
        long[] runningMask = mask;
        for (int s = 0; s < decodeSteps; s++) {
            int total = maxLen + s + 1;
            long[] nextMask = new long[rows * total];
            float[] stepEmbeds = new float[rows * hidden];
            long[] stepPositions = new long[rows];
            for (int r = 0; r < rows; r++) {
                System.arraycopy(runningMask, r * (total - 1), nextMask, r * total, total - 1);
                nextMask[r * total + total - 1] = 1;
                System.arraycopy(embed(new long[] {soloTokens[r][s]}), 0, stepEmbeds, r * hidden, hidden);
                stepPositions[r] = lengths[r] + s;
            }
            runningMask = nextMask;
            float[] logits = batch.step(stepEmbeds, 1, nextMask, stepPositions);
            for (int r = 0; r < rows; r++) {
                float[] row = Arrays.copyOfRange(logits, r * vocab, (r + 1) * vocab);
                worst = Math.max(worst, GraphRuns.Diff.of(row, soloDecode[r][s]).maxAbs());
                assertThat(GraphRuns.argmax(row)).as("row %d step %d greedy token", r, s).isEqualTo(GraphRuns.argmax(soloDecode[r][s]));
            }
        }
        System.out.printf("left-padded batch of %s: max |logit diff| vs solo runs %.3g%n", Arrays.toString(lengths), worst);
        assertThat(worst).isLessThanOrEqualTo(BATCH_TOLERANCE);
    }

    @Test
    void chunkedPrefillMatchesOnePrefill() throws OrtException, IOException {
        String image = images().get(images().size() - 1);
        int length = reference.get(image + "/input_ids").asLongs().length;
        int hidden = cfg.text().hiddenSize();
        int vocab = cfg.text().vocabSize();
        float[] embeds = mergedEmbeds(image, length);
        float[] whole = new Decoder(1).step(embeds, length, GraphRuns.ones(length), range(0, length));

        // first chunk shorter than conv_L_cache (zero-padded conv state), then a multi-token chunk on top of a cache,
        // single tokens, and the rest in one chunk
        int first = cfg.text().convLCache() - 1;
        int[] chunks = {first, 5, 1, 1, 1, length - first - 8};
        Decoder chunked = new Decoder(1);
        float[] pieces = new float[length * vocab];
        int done = 0;
        for (int size : chunks) {
            float[] part = Arrays.copyOfRange(embeds, done * hidden, (done + size) * hidden);
            float[] logits = chunked.step(part, size, GraphRuns.ones(done + size), range(done, done + size));
            System.arraycopy(logits, 0, pieces, done * vocab, size * vocab);
            done += size;
        }
        assertThat(done).isEqualTo(length);
        GraphRuns.Diff d = GraphRuns.Diff.of(pieces, whole);
        System.out.printf("%s chunked %s vs one prefill: max |logit diff| %.3g%n", image, Arrays.toString(chunks), d.maxAbs());
        assertThat(d.maxAbs()).isLessThanOrEqualTo(BATCH_TOLERANCE);
    }

    @Test
    void keptLogitsAreTheLastRowsOfAllLogitsForALeftPaddedBatch() throws OrtException, IOException {
        List<String> names = images();
        int[] lengths = {29, 17};
        int rows = lengths.length;
        int width = Arrays.stream(lengths).max().orElseThrow();
        int hidden = cfg.text().hiddenSize();
        int vocab = cfg.text().vocabSize();
        float[] padRow = embed(new long[] {cfg.text().padTokenId()});
        float[] embeds = new float[rows * width * hidden];
        long[] mask = new long[rows * width];
        long[] positions = new long[rows * width];
        for (int r = 0; r < rows; r++) {
            float[] prompt = mergedEmbeds(names.get(r), lengths[r]);
            int pad = width - lengths[r];
            for (int p = 0; p < width; p++) {
                boolean real = p >= pad;
                System.arraycopy(real ? prompt : padRow, real ? (p - pad) * hidden : 0, embeds, (r * width + p) * hidden, hidden);
                mask[r * width + p] = real ? 1 : 0;
                positions[r * width + p] = real ? p - pad : 1;
            }
        }

        float[] all = new Decoder(rows).step(embeds, width, mask, positions, 0);
        assertThat(all).hasSize(rows * width * vocab);
        for (int keep : new int[] {1, 3}) {
            float[] kept = new Decoder(rows).step(embeds, width, mask, positions, keep);
            assertThat(kept).as("logits kept for %d positions", keep).hasSize(rows * keep * vocab);
            for (int r = 0; r < rows; r++) {
                float[] expected = Arrays.copyOfRange(all, (r * width + width - keep) * vocab, (r + 1) * width * vocab);
                float[] actual = Arrays.copyOfRange(kept, r * keep * vocab, (r + 1) * keep * vocab);
                assertThat(GraphRuns.Diff.of(actual, expected).maxAbs()).as("row %d, last %d positions", r, keep).isLessThanOrEqualTo(1e-6);
            }
        }
        // more than the sequence holds: every position, as with 0
        float[] beyond = new Decoder(rows).step(embeds, width, mask, positions, width + 5);
        assertThat(GraphRuns.Diff.of(beyond, all).maxAbs()).isLessThanOrEqualTo(1e-6);
    }

    // ------------------------------------------------------------------ helpers

    /** Embeddings of the first {@code length} prompt tokens, image tokens replaced by image_features rows in order. */
    private static float[] mergedEmbeds(String image, int length) throws OrtException {
        long[] ids = Arrays.copyOf(reference.get(image + "/input_ids").asLongs(), length);
        NpyArray features = reference.get(image + "/image_features");
        float[] featureRows = features.asFloats();
        int hidden = cfg.text().hiddenSize();
        float[] embeds = embed(ids);
        int next = 0;
        for (int p = 0; p < ids.length; p++) {
            if (ids[p] == cfg.imageTokenId()) {
                System.arraycopy(featureRows, next * hidden, embeds, p * hidden, hidden);
                next++;
            }
        }
        if (length == reference.get(image + "/input_ids").asLongs().length) {
            assertThat(next).as("image tokens vs feature rows").isEqualTo(features.shape()[0]);
        }
        return embeds;
    }

    private static float[] embed(long[] ids) throws OrtException {
        try (OnnxTensor input = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {1, ids.length});
             OrtSession.Result out = embedSession.run(Map.of("input_ids", input))) {
            return DecoderRun.copy((OnnxTensor) out.get("inputs_embeds").orElseThrow());
        }
    }

    /** Drives decoder_model_merged the way transformers.js does: zero caches first, then present -> past. */
    private static final class Decoder {
        private final int batch;
        private final Map<String, float[]> cacheData = new HashMap<>();
        private final Map<String, long[]> cacheShape = new HashMap<>();

        Decoder(int batch) throws OrtException {
            this.batch = batch;
            for (Map.Entry<String, NodeInfo> e : decoderSession.getInputInfo().entrySet()) {
                if (!e.getKey().startsWith("past_")) {
                    continue;
                }
                long[] shape = ((TensorInfo) e.getValue().getInfo()).getShape().clone();
                shape[0] = batch;
                for (int i = 1; i < shape.length; i++) {
                    if (shape[i] < 0) {
                        shape[i] = 0; // the past length on the first step
                    }
                }
                cacheShape.put(e.getKey(), shape);
                cacheData.put(e.getKey(), new float[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)]);
            }
        }

        /** Runs one step; returns logits [batch, seq, vocab] flattened and keeps the presents as the next pasts. */
        float[] step(float[] embeds, int seq, long[] mask, long[] positions) throws OrtException {
            return step(embeds, seq, mask, positions, 0);
        }

        /** As {@link #step(float[], int, long[], long[])}, logits of the last {@code keep} positions (0: all). */
        float[] step(float[] embeds, int seq, long[] mask, long[] positions, long keep) throws OrtException {
            Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
            try {
                int hidden = cfg.text().hiddenSize();
                feeds.put("inputs_embeds", OnnxTensor.createTensor(env, FloatBuffer.wrap(embeds), new long[] {batch, seq, hidden}));
                feeds.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), new long[] {batch, mask.length / batch}));
                feeds.put("position_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(positions), new long[] {batch, seq}));
                feeds.put("num_logits_to_keep", OnnxTensor.createTensor(env, LongBuffer.wrap(new long[] {keep}), new long[0]));
                for (String name : cacheData.keySet()) {
                    feeds.put(name, OnnxTensor.createTensor(env, FloatBuffer.wrap(cacheData.get(name)), cacheShape.get(name)));
                }
                try (OrtSession.Result out = decoderSession.run(feeds)) {
                    for (Map.Entry<String, OnnxValue> e : out) {
                        String past = pastName(e.getKey());
                        if (past != null) {
                            OnnxTensor t = (OnnxTensor) e.getValue();
                            cacheData.put(past, DecoderRun.copy(t));
                            cacheShape.put(past, t.getInfo().getShape());
                        }
                    }
                    return DecoderRun.copy((OnnxTensor) out.get("logits").orElseThrow());
                }
            } finally {
                feeds.values().forEach(OnnxTensor::close);
            }
        }

        private static String pastName(String present) {
            if (present.startsWith("present_conv.")) {
                return "past_conv." + present.substring("present_conv.".length());
            }
            if (present.startsWith("present.")) {
                return "past_key_values." + present.substring("present.".length());
            }
            return null;
        }
    }

    private static long[] range(int from, int to) {
        long[] out = new long[to - from];
        for (int i = 0; i < out.length; i++) {
            out[i] = from + i;
        }
        return out;
    }
}
