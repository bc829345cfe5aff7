package io.vlmstreams.convert;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.vlmstreams.devstack.Fixtures;
import io.vlmstreams.inference.io.Npy;
import io.vlmstreams.inference.model.Lfm2VlConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What batching the liquid decoder allows, measured on the tiny upstream checkpoint (two prompts of 30 and 18 tokens,
 * text only; every comparison is against the same rows run alone). These are properties of the graphs as published,
 * which the engine has to plan around, not defects to fix here:
 * <ul>
 *   <li>decode over key/value caches of different lengths, right-padded with the mask marking each row's own: exact
 *   with rotary inside GroupQueryAttention; the {@link Rotary#EMBEDDING} variant rotates a shorter row at the batch's
 *   past length, so that row's logits change;</li>
 *   <li>a left-padded prefill: the shorter row is wrong in both variants (GQA assumes a row's tokens start at 0);</li>
 *   <li>a right-padded prefill: logits at the real positions are exact, but the shorter row's conv state ends on
 *   padding.</li>
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LiquidDecoderBatchingTest {

    private static final int[] LENGTHS = {30, 18};
    private static final int STEPS = 4;
    private static final double EXACT = 1e-5;
    /** Clearly more than float noise: what "changes" means here (measured differences are above 1). */
    private static final double DIFFERENT = 1e-2;

    private Lfm2VlConfig cfg;
    private OrtEnvironment env;
    private OrtSession embed;
    private final Map<Rotary, OrtSession> decoders = new EnumMap<>(Rotary.class);
    private long[][] prompts;

    @BeforeAll
    void build() throws Exception {
        cfg = Lfm2VlConfig.read(Fixtures.tinyCheckpoint().resolve("config.json"));
        env = OrtEnvironment.getEnvironment();
        try (SafetensorsReader weights = SafetensorsReader.open(Fixtures.tinyCheckpoint());
             OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            embed = env.createSession(DecoderGraphs.embedTokens(cfg, weights).toByteArray(), options);
            for (Rotary r : Rotary.values()) {
                decoders.put(r, env.createSession(LiquidDecoderGraphs.decoder(cfg, weights, r).toByteArray(), options));
            }
        }
        var ref = Npy.readNpz(Fixtures.tinyCheckpoint().resolve("reference_tensors.npz"));
        prompts = new long[][] {
                Arrays.copyOf(ref.get("coins.png/input_ids").asLongs(), LENGTHS[0]),
                Arrays.copyOfRange(ref.get("text.png/input_ids").asLongs(), 0, LENGTHS[1])};
    }

    @AfterAll
    void close() throws OrtException {
        for (OrtSession s : decoders.values()) {
            s.close();
        }
        embed.close();
    }

    @ParameterizedTest
    @EnumSource(Rotary.class)
    void decodeOverRightPaddedCachesOfDifferentLengths(Rotary rotary) throws OrtException {
        OrtSession decoder = decoders.get(rotary);
        int vocab = cfg.text().vocabSize();
        int hidden = cfg.text().hiddenSize();
        int rows = LENGTHS.length;
        int width = Arrays.stream(LENGTHS).max().orElseThrow();
        DecoderRun[] solo = new DecoderRun[rows];
        float[][] lastLogits = new float[rows][];
        for (int r = 0; r < rows; r++) {
            solo[r] = new DecoderRun(env, decoder, 1);
            float[] prefill = solo[r].step(embed(prompts[r]), LENGTHS[r], GraphRuns.ones(LENGTHS[r]));
            lastLogits[r] = Arrays.copyOfRange(prefill, (LENGTHS[r] - 1) * vocab, LENGTHS[r] * vocab);
        }
        DecoderRun merged = mergeRightPadded(decoder, solo, width);

        float[][][] soloDecode = new float[rows][STEPS][];
        long[][] tokens = new long[rows][STEPS];
        for (int r = 0; r < rows; r++) {
            float[] last = lastLogits[r];
            for (int s = 0; s < STEPS; s++) {
                tokens[r][s] = GraphRuns.argmax(last);
                last = solo[r].step(embed(new long[] {tokens[r][s]}), 1, GraphRuns.ones(LENGTHS[r] + s + 1));
                soloDecode[r][s] = last;
            }
        }
        double[] worst = new double[rows];
        for (int s = 0; s < STEPS; s++) {
            // each row's mask covers its own cache and the new token; the right padding of shorter rows stays 0
            int total = width + s + 1;
            long[] mask = new long[rows * total];
            float[] stepEmbeds = new float[rows * hidden];
            for (int r = 0; r < rows; r++) {
                Arrays.fill(mask, r * total, r * total + LENGTHS[r] + s + 1, 1);
                System.arraycopy(embed(new long[] {tokens[r][s]}), 0, stepEmbeds, r * hidden, hidden);
            }
            float[] logits = merged.step(stepEmbeds, 1, mask);
            for (int r = 0; r < rows; r++) {
                worst[r] = Math.max(worst[r], maxAbs(Arrays.copyOfRange(logits, r * vocab, (r + 1) * vocab), soloDecode[r][s]));
            }
        }
        System.out.printf("liquid decoder (rotary %s), %d decode steps over right-padded caches of lengths %s: "
                + "max |logit diff| vs solo per row %s%n", rotary.label(), STEPS, Arrays.toString(LENGTHS), Arrays.toString(worst));
        assertThat(worst[0]).as("longest row").isLessThanOrEqualTo(EXACT);
        if (rotary == Rotary.GQA) {
            // GQA takes each row's length from seqlens_k: it writes the new key there and rotates it at that position
            assertThat(worst[1]).as("shorter row, rotary inside GQA").isLessThanOrEqualTo(EXACT);
        } else {
            // RotaryEmbedding's positions come from the batch's past length, not the row's
            assertThat(differs(worst[1])).as("shorter row, RotaryEmbedding: %s", worst[1]).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(Rotary.class)
    void paddedPrefill(Rotary rotary) throws OrtException {
        OrtSession decoder = decoders.get(rotary);
        int vocab = cfg.text().vocabSize();
        int rows = LENGTHS.length;
        int width = Arrays.stream(LENGTHS).max().orElseThrow();
        float[][] soloLogits = new float[rows][];
        float[][] soloConv = new float[rows][];
        String conv = "past_conv.0";
        for (int r = 0; r < rows; r++) {
            DecoderRun solo = new DecoderRun(env, decoder, 1);
            soloLogits[r] = solo.step(embed(prompts[r]), LENGTHS[r], GraphRuns.ones(LENGTHS[r]));
            soloConv[r] = solo.cache(conv);
        }
        for (boolean left : new boolean[] {true, false}) {
            DecoderRun batch = new DecoderRun(env, decoder, rows);
            float[] logits = batch.step(padded(width, left), width, paddedMask(width, left));
            double[] logitDiff = new double[rows];
            double[] convDiff = new double[rows];
            int convSize = soloConv[0].length;
            for (int r = 0; r < rows; r++) {
                int offset = r * width + (left ? width - LENGTHS[r] : 0);
                logitDiff[r] = maxAbs(Arrays.copyOfRange(logits, offset * vocab, (offset + LENGTHS[r]) * vocab), soloLogits[r]);
                convDiff[r] = maxAbs(Arrays.copyOfRange(batch.cache(conv), r * convSize, (r + 1) * convSize), soloConv[r]);
            }
            System.out.printf("liquid decoder (rotary %s), %s-padded prefill of lengths %s: max |logit diff| at real "
                    + "positions per row %s, %s per row %s%n", rotary.label(), left ? "left" : "right",
                    Arrays.toString(LENGTHS), Arrays.toString(logitDiff), conv, Arrays.toString(convDiff));
            assertThat(logitDiff[0]).as("longest row").isLessThanOrEqualTo(EXACT);
            assertThat(convDiff[0]).as("longest row's conv state").isLessThanOrEqualTo(EXACT);
            if (left) {
                // GQA reads a row's first seqlens_k + 1 positions as its tokens: here those are the padding (with
                // RotaryEmbedding the queries past seqlens_k even come out NaN)
                assertThat(differs(logitDiff[1])).as("shorter row, left padding: %s", logitDiff[1]).isTrue();
            } else {
                // causal attention and conv make the real positions exact, but the state ends on padding
                assertThat(logitDiff[1]).as("shorter row, right padding").isLessThanOrEqualTo(EXACT);
                assertThat(differs(convDiff[1])).as("shorter row's conv state, right padding: %s", convDiff[1]).isTrue();
            }
        }
    }

    /** One batch holding each solo run's caches: conv states stacked, key/value caches right-padded with zeros. */
    private DecoderRun mergeRightPadded(OrtSession decoder, DecoderRun[] solo, int width) throws OrtException {
        int rows = solo.length;
        DecoderRun merged = new DecoderRun(env, decoder, rows);
        for (String name : merged.cacheNames()) {
            long[] shape = solo[0].cacheShape(name);
            if (name.startsWith("past_conv.")) {
                int size = solo[0].cache(name).length;
                float[] all = new float[rows * size];
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(solo[r].cache(name), 0, all, r * size, size);
                }
                shape[0] = rows;
                merged.set(name, all, shape);
            } else {
                int kv = (int) shape[1];
                int dim = (int) shape[3];
                float[] all = new float[rows * kv * width * dim];
                for (int r = 0; r < rows; r++) {
                    float[] c = solo[r].cache(name);
                    for (int h = 0; h < kv; h++) {
                        System.arraycopy(c, h * LENGTHS[r] * dim, all, (r * kv + h) * width * dim, LENGTHS[r] * dim);
                    }
                }
                merged.set(name, all, new long[] {rows, kv, width, dim});
            }
        }
        return merged;
    }

    /** The prompts' embeddings padded to {@code width} with the pad token's (non-zero) embedding. */
    private float[] padded(int width, boolean left) throws OrtException {
        int hidden = cfg.text().hiddenSize();
        float[] pad = embed(new long[] {cfg.text().padTokenId()});
        float[] embeds = new float[LENGTHS.length * width * hidden];
        for (int r = 0; r < LENGTHS.length; r++) {
            float[] e = embed(prompts[r]);
            int shift = left ? width - LENGTHS[r] : 0;
            for (int p = 0; p < width; p++) {
                int real = p - shift;
                boolean isReal = real >= 0 && real < LENGTHS[r];
                System.arraycopy(isReal ? e : pad, isReal ? real * hidden : 0, embeds, (r * width + p) * hidden, hidden);
            }
        }
        return embeds;
    }

    private long[] paddedMask(int width, boolean left) {
        long[] mask = new long[LENGTHS.length * width];
        for (int r = 0; r < LENGTHS.length; r++) {
            int start = r * width + (left ? width - LENGTHS[r] : 0);
            Arrays.fill(mask, start, start + LENGTHS[r], 1);
        }
        return mask;
    }

    private float[] embed(long[] ids) throws OrtException {
        try (OnnxTensor input = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {1, ids.length});
             OrtSession.Result out = embed.run(Map.of("input_ids", input))) {
            return DecoderRun.copy((OnnxTensor) out.get("inputs_embeds").orElseThrow());
        }
    }

    /** NaN counts as different; {@code isLessThanOrEqualTo(EXACT)} already rejects it. */
    private static boolean differs(double maxAbsDiff) {
        return Double.isNaN(maxAbsDiff) || maxAbsDiff > DIFFERENT;
    }

    private static double maxAbs(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        return worst;
    }
}
