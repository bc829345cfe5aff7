package io.vlmstreams.inference.onnx;

import io.vlmstreams.inference.engine.TinyModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Logits out of {@link DecoderSession}: a graph without num_logits_to_keep (every position gets
 * logits) hands back only the positions asked for, with float32 or float16 logits and a declared or
 * symbolic vocabulary; and a run whose logits would pass {@link DecoderSession#MAX_LOGITS_BYTES}
 * is refused with its sizes before anything runs, where an {@code int} product used to overflow.
 */
class DecoderSessionTest {

    private static final int HIDDEN = 4;
    private static final int VOCAB = 6;

    @TempDir
    static Path temp;

    private static OrtRuntime runtime;
    private static float[] weights;

    @BeforeAll
    static void setUp() {
        runtime = new OrtRuntime(RuntimeConfig.cpu());
        weights = new float[HIDDEN * VOCAB];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (i % 7) * 0.25f - 0.6f;
        }
    }

    @AfterAll
    static void nothingLeftOpen() {
        assertThat(runtime.openSessions()).isZero();
    }

    private static DecoderSession logitsOnly(String name, boolean fp16, boolean symbolic) throws Exception {
        return new DecoderSession(runtime, LogitsOnlyDecoder.write(temp.resolve(name), weights, HIDDEN, VOCAB, fp16, symbolic));
    }

    /** embeds [rows, seq, HIDDEN] times the weights, for row b at position p. */
    private static float[] expected(float[] embeds, int seq, int b, int p) {
        float[] out = new float[VOCAB];
        for (int v = 0; v < VOCAB; v++) {
            double sum = 0;
            for (int h = 0; h < HIDDEN; h++) {
                sum += embeds[(b * seq + p) * HIDDEN + h] * weights[h * VOCAB + v];
            }
            out[v] = (float) sum;
        }
        return out;
    }

    private static float[] randomEmbeds(int rows, int seq) {
        SplittableRandom random = new SplittableRandom(3);
        float[] e = new float[rows * seq * HIDDEN];
        for (int i = 0; i < e.length; i++) {
            e[i] = (float) random.nextDouble(-1, 1);
        }
        return e;
    }

    private static void checkKeptPositions(DecoderSession decoder, double tolerance) {
        int rows = 2;
        int seq = 5;
        float[] embeds = randomEmbeds(rows, seq);
        long[] mask = new long[rows * seq];
        Arrays.fill(mask, 1);
        for (int keep : new int[]{1, 3, seq}) {
            try (DecoderCache empty = decoder.emptyCache(rows)) {
                DecoderSession.Step step = decoder.run(embeds, rows, seq, mask, null, empty, keep);
                try (DecoderCache ignored = step.cache()) {
                    DecoderSession.Logits logits = step.logits();
                    assertThat(logits.batch()).isEqualTo(rows);
                    assertThat(logits.positions()).as("positions kept of %d", seq).isEqualTo(keep);
                    assertThat(logits.vocab()).isEqualTo(VOCAB);
                    for (int b = 0; b < rows; b++) {
                        for (int p = 0; p < keep; p++) {
                            float[] want = expected(embeds, seq, b, seq - keep + p);
                            float[] got = logits.row(b, p);
                            for (int v = 0; v < VOCAB; v++) {
                                assertThat((double) got[v]).as("keep %d row %d pos %d id %d", keep, b, p, v)
                                        .isCloseTo(want[v], within(tolerance));
                            }
                        }
                    }
                    assertThat(logits.last(1)).containsExactly(logits.row(1, keep - 1));
                }
            }
        }
    }

    @Test
    void aGraphWithoutNumLogitsToKeepGivesBackOnlyTheKeptPositions() throws Exception {
        try (DecoderSession decoder = logitsOnly("fp32.onnx", false, false)) {
            assertThat(decoder.declaresNumLogitsToKeep()).isFalse();
            assertThat(decoder.vocabSize()).isEqualTo(VOCAB);
            checkKeptPositions(decoder, 1e-5);
        }
    }

    @Test
    void float16LogitsAreReadAsFloat32() throws Exception {
        try (DecoderSession decoder = logitsOnly("fp16.onnx", true, false)) {
            checkKeptPositions(decoder, 2e-3);
        }
    }

    @Test
    void aSymbolicVocabularyIsLearnedFromTheFirstRun() throws Exception {
        try (DecoderSession decoder = logitsOnly("symbolic.onnx", false, true)) {
            assertThat(decoder.vocabSize()).isEqualTo(-1);
            assertThat(decoder.maxRowsPerRun(5, 1)).isEqualTo(Integer.MAX_VALUE);
            checkKeptPositions(decoder, 1e-5);
            assertThat(decoder.vocabSize()).isEqualTo(VOCAB);
            assertThat(decoder.logitsBytes(2, 5, 1)).isEqualTo(2L * 5 * VOCAB * 4);
        }
    }

    @Test
    void logitsPastTheBoundAreRefusedWithTheirSizeBeforeAnythingRuns() throws Exception {
        long live = DecoderCache.liveTensors();
        try (DecoderSession decoder = logitsOnly("bound.onnx", false, false);
             DecoderCache empty = decoder.emptyCache(1)) {
            // no num_logits_to_keep: a prompt of seq positions makes seq x vocab logits per row
            int seq = 1000;
            assertThat(decoder.logitsBytes(3, seq, 1)).isEqualTo(3L * seq * VOCAB * 4);
            assertThat(decoder.maxRowsPerRun(seq, 1)).isEqualTo((int) (DecoderSession.MAX_LOGITS_BYTES / (seq * VOCAB * 4L)));
            int tooLong = (int) (DecoderSession.MAX_LOGITS_BYTES / (VOCAB * 4L)) + 1;
            assertThat(decoder.maxRowsPerRun(tooLong, 1)).isZero();
            // refused before the (absent) inputs are read
            assertThatThrownBy(() -> decoder.run(new float[0], 1, tooLong, new long[0], null, empty, 1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("MAX_LOGITS_BYTES").hasMessageContaining("no num_logits_to_keep");
        }
        try (DecoderSession tiny = new DecoderSession(runtime, TinyModel.onnxFolder().resolve("onnx/decoder_model_merged.onnx"));
             DecoderCache empty = tiny.emptyCache(1)) {
            assertThat(tiny.declaresNumLogitsToKeep()).isTrue();
            // 10,737,419 kept positions x 400 ids: 4,294,967,600 values, which an int product wrapped to 304
            int positions = 10_737_419;
            assertThat(tiny.logitsBytes(1, positions, positions)).isEqualTo(4L * positions * tiny.vocabSize());
            assertThatThrownBy(() -> tiny.run(new float[0], 1, positions, new long[0], new long[0], empty, positions))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("16,384 MiB").hasMessageContaining("MAX_LOGITS_BYTES");
        }
        assertThat(DecoderCache.liveTensors()).isEqualTo(live);
    }
}
