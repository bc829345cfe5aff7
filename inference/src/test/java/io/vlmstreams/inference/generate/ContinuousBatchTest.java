package io.vlmstreams.inference.generate;

import io.vlmstreams.devstack.Fixtures;
import io.vlmstreams.inference.engine.GenerationSettings;
import io.vlmstreams.inference.engine.TinyModel;
import io.vlmstreams.inference.io.Npy;
import io.vlmstreams.inference.io.NpyArray;
import io.vlmstreams.inference.model.ModelFolder;
import io.vlmstreams.inference.onnx.DecoderCache;
import io.vlmstreams.inference.onnx.DecoderSession;
import io.vlmstreams.inference.onnx.EmbedTokensSession;
import io.vlmstreams.inference.onnx.OrtRuntime;
import io.vlmstreams.inference.onnx.RuntimeConfig;
import io.vlmstreams.inference.text.TokenizerVocabulary;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Continuous batching on the tiny model: sequences that join a running batch between decode steps
 * (with prompts of different lengths, so caches are merged with left padding) and leave at
 * different steps get exactly the tokens each gets alone, and upstream's where upstream has them.
 * A failure after a decoder run (injected where the batch is about to apply it) closes every cache
 * that run made, leaves the batch on its previous one, and the batch still answers correctly; no
 * token is ever an id past the tokenizer's vocabulary.
 */
class ContinuousBatchTest {

    @TempDir
    static Path temp;

    private static ModelFolder folder;
    private static EmbedTokensSession embed;
    private static DecoderSession decoder;
    private static Map<String, NpyArray> reference;
    private static List<TinyModel.Reference> references;
    private static OrtRuntime runtime;
    private static int vocab;

    @BeforeAll
    static void open() throws Exception {
        folder = ModelFolder.open(TinyModel.onnxFolder(), "fp32");
        runtime = new OrtRuntime(RuntimeConfig.cpu());
        vocab = TokenizerVocabulary.read(folder.tokenizerJson()).size();
        embed = new EmbedTokensSession(runtime, folder.embedTokens());
        decoder = new DecoderSession(runtime, folder.decoder());
        reference = Npy.readNpz(Fixtures.tinyCheckpoint().resolve("reference_tensors.npz"));
        references = TinyModel.references();
    }

    @AfterAll
    static void close() {
        decoder.close();
        embed.close();
        assertThat(runtime.openSessions()).isZero();
    }

    @Test
    void sequencesJoiningAndLeavingBetweenStepsGetTheirSoloTokens() {
        InputEmbedder embedder = new InputEmbedder(embed, folder.config().imageTokenId());
        // different lengths: rows leave at different steps, while others join
        int[] maxNew = {12, 4, 9, 12, 6, 1};
        List<GenerationInput> inputs = new ArrayList<>();
        for (int i = 0; i < maxNew.length; i++) {
            inputs.add(new GenerationInput(sequence(references.get(i % references.size()).image()),
                    GenerationSettings.greedy(maxNew[i]), new long[0]));
        }
        BatchGenerator solo = new BatchGenerator(decoder, embedder, 0, vocab);
        List<long[]> alone = new ArrayList<>();
        for (GenerationInput in : inputs) {
            alone.add(solo.generate(List.of(in)).outputs().get(0).tokenIds());
        }

        Map<Integer, long[]> got = new HashMap<>();
        try (ContinuousBatch<Integer> batch = new ContinuousBatch<>(decoder, embedder, 0, vocab)) {
            collect(got, batch.join(List.of(0), List.of(inputs.get(0))));
            for (int s = 0; s < 2; s++) {
                collect(got, batch.step());
            }
            collect(got, batch.join(List.of(1, 2), inputs.subList(1, 3)));
            collect(got, batch.step());
            collect(got, batch.join(List.of(3), List.of(inputs.get(3))));
            for (int s = 0; s < 4; s++) {
                collect(got, batch.step());
            }
            collect(got, batch.join(List.of(4, 5), inputs.subList(4, 6)));
            while (batch.size() > 0) {
                collect(got, batch.step());
            }
            assertThat(batch.timings().decodeSteps()).isGreaterThan(0);
        }
        assertThat(got).hasSize(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            assertThat(got.get(i)).as("sequence %d", i).containsExactly(alone.get(i));
            long[] upstream = references.get(i % references.size()).tokenIds();
            assertThat(got.get(i)).as("sequence %d against upstream", i)
                    .containsExactly(java.util.Arrays.copyOf(upstream, maxNew[i]));
        }
    }

    @Test
    void prefillGroupsDoNotChangeTokensOrDecodeApart() {
        InputEmbedder embedder = new InputEmbedder(embed, folder.config().imageTokenId());
        List<GenerationInput> inputs = new ArrayList<>();
        for (int i = 0; i < references.size(); i++) {
            inputs.add(new GenerationInput(sequence(references.get(i).image()), GenerationSettings.greedy(12), new long[0]));
        }
        // ratio 1: every distinct prompt length is its own prefill group; infinity: one padded prefill
        BatchGenerator.Result grouped = new BatchGenerator(decoder, embedder, 0, vocab, 1.0).generate(inputs);
        BatchGenerator.Result padded = new BatchGenerator(decoder, embedder, 0, vocab, Double.POSITIVE_INFINITY).generate(inputs);
        for (int i = 0; i < inputs.size(); i++) {
            assertThat(grouped.outputs().get(i).tokenIds()).as("sequence %d", i)
                    .containsExactly(padded.outputs().get(i).tokenIds())
                    .containsExactly(references.get(i).tokenIds());
        }
        // the groups decode as one batch: 11 steps after the first token, not 11 per group
        assertThat(grouped.timings().decodeSteps()).isEqualTo(11);
        assertThat(grouped.timings().decodeTokens()).isEqualTo(11L * inputs.size());
        assertThat(grouped.timings().prefillTokens()).isEqualTo(padded.timings().prefillTokens());
    }

    @Test
    void aFailureAfterTheDecoderRunOfAStepClosesWhatTheRunMadeAndTheBatchCarriesOn() {
        InputEmbedder embedder = new InputEmbedder(embed, folder.config().imageTokenId());
        // row 1 finishes in the failing step, so that step also made a compacted cache
        int[] maxNew = {12, 3, 8};
        List<GenerationInput> inputs = inputs(maxNew);
        List<long[]> alone = alone(embedder, inputs);
        long liveAtStart = DecoderCache.liveTensors();
        Map<Integer, long[]> got = new HashMap<>();
        AtomicInteger failures = new AtomicInteger();
        try (ContinuousBatch<Integer> batch = new ContinuousBatch<>(decoder, embedder, 0, vocab)) {
            collect(got, batch.join(List.of(0, 1, 2), inputs));
            collect(got, batch.step());
            long liveBefore = DecoderCache.liveTensors();
            assertThat(liveBefore).as("the running batch holds one cache").isGreaterThan(liveAtStart);
            int steps = batch.timings().decodeSteps();
            batch.beforeApply = () -> {
                failures.incrementAndGet();
                throw new IllegalStateException("injected after decoder.run");
            };
            for (int attempt = 0; attempt < 3; attempt++) {
                assertThatThrownBy(batch::step).hasMessage("injected after decoder.run");
                assertThat(DecoderCache.liveTensors()).as("open cache tensors after failed step %d", attempt)
                        .isEqualTo(liveBefore);
                assertThat(batch.keys()).containsExactly(0, 1, 2);
                assertThat(batch.timings().decodeSteps()).isEqualTo(steps);
            }
            assertThat(failures).hasValue(3);
            batch.beforeApply = () -> { };
            // the batch is on its previous, still open cache: the same step now runs and gives the solo tokens
            while (batch.size() > 0) {
                collect(got, batch.step());
            }
        }
        assertThat(DecoderCache.liveTensors()).isEqualTo(liveAtStart);
        for (int i = 0; i < inputs.size(); i++) {
            assertThat(got.get(i)).as("sequence %d", i).containsExactly(alone.get(i));
        }
    }

    @Test
    void aFailureAfterTheDecoderRunOfAJoinLeavesTheRunningBatchAsItWas() {
        InputEmbedder embedder = new InputEmbedder(embed, folder.config().imageTokenId());
        int[] maxNew = {10, 6, 1};
        List<GenerationInput> inputs = inputs(maxNew);
        List<long[]> alone = alone(embedder, inputs);
        long liveAtStart = DecoderCache.liveTensors();
        Map<Integer, long[]> got = new HashMap<>();
        try (ContinuousBatch<Integer> batch = new ContinuousBatch<>(decoder, embedder, 0, vocab)) {
            collect(got, batch.join(List.of(0), List.of(inputs.get(0))));
            collect(got, batch.step());
            long liveBefore = DecoderCache.liveTensors();
            batch.beforeApply = () -> {
                throw new IllegalStateException("injected after the prefill");
            };
            assertThatThrownBy(() -> batch.join(List.of(1, 2), inputs.subList(1, 3))).hasMessage("injected after the prefill");
            assertThat(DecoderCache.liveTensors()).isEqualTo(liveBefore);
            assertThat(batch.keys()).containsExactly(0);
            assertThat(batch.timings().prefillTokens()).isEqualTo(inputs.get(0).prompt().tokenIds().length);
            batch.beforeApply = () -> { };
            collect(got, batch.step());
            // joining again works, and nobody's tokens changed
            collect(got, batch.join(List.of(1, 2), inputs.subList(1, 3)));
            while (batch.size() > 0) {
                collect(got, batch.step());
            }
        }
        assertThat(DecoderCache.liveTensors()).isEqualTo(liveAtStart);
        for (int i = 0; i < inputs.size(); i++) {
            assertThat(got.get(i)).as("sequence %d", i).containsExactly(alone.get(i));
        }
    }

    @Test
    void aPrefillRunInSlicesOfRowsGivesTheLogitsAndCachesOfOneRun() {
        InputEmbedder embedder = new InputEmbedder(embed, folder.config().imageTokenId());
        List<long[]> prompts = new ArrayList<>();
        List<SequenceInput> seqs = new ArrayList<>();
        for (TinyModel.Reference ref : references.subList(0, 3)) {
            SequenceInput s = sequence(ref.image());
            prompts.add(s.tokenIds());
            seqs.add(s);
        }
        LeftPaddedBatch batch = LeftPaddedBatch.of(prompts, 0);
        float[] embeds = embedder.embed(batch, seqs);
        long live = DecoderCache.liveTensors();
        DecoderSession.Step whole = new Prefill(decoder, batch, embeds).run(2);
        float[][] wholeLogits = rows(whole.logits(), 2);
        float[][] wholeNext = nextStep(embedder, batch, whole.cache());
        DecoderSession.Step sliced = new Prefill(decoder, batch, embeds, 2).run(2);
        assertThat(rows(sliced.logits(), 2)).isDeepEqualTo(wholeLogits);
        assertThat(sliced.cache().batch()).isEqualTo(3);
        assertThat(sliced.cache().pastLength()).isEqualTo(batch.width());
        // the stacked caches decode exactly like the single run's
        assertThat(nextStep(embedder, batch, sliced.cache())).isDeepEqualTo(wholeNext);
        whole.cache().close();
        sliced.cache().close();
        assertThat(DecoderCache.liveTensors()).isEqualTo(live);
    }

    @Test
    void noTokenIsAnIdPastTheTokenizersVocabulary() {
        InputEmbedder embedder = new InputEmbedder(embed, folder.config().imageTokenId());
        List<GenerationInput> inputs = new ArrayList<>();
        long highest = 0;
        for (TinyModel.Reference ref : references) {
            inputs.add(new GenerationInput(sequence(ref.image()), GenerationSettings.greedy(12), new long[0]));
            highest = Math.max(highest, Arrays.stream(ref.tokenIds()).max().orElseThrow());
        }
        assertThat(decoder.vocabSize()).as("the graph's logits").isEqualTo(vocab);
        // a tokenizer that stops just below upstream's highest generated id: the graph's logits are wider than it
        int narrower = (int) highest;
        List<GenerationOutput> bounded = new BatchGenerator(decoder, embedder, 0, narrower).generate(inputs).outputs();
        boolean changed = false;
        for (int i = 0; i < inputs.size(); i++) {
            long[] tokens = bounded.get(i).tokenIds();
            assertThat(Arrays.stream(tokens).max().orElseThrow()).as("highest id of sequence %d", i).isLessThan(narrower);
            changed |= !Arrays.equals(tokens, references.get(i).tokenIds());
        }
        assertThat(changed).as("upstream's tokens include id %d, which the narrower tokenizer lacks", highest).isTrue();
    }

    private List<GenerationInput> inputs(int[] maxNew) {
        List<GenerationInput> inputs = new ArrayList<>();
        for (int i = 0; i < maxNew.length; i++) {
            inputs.add(new GenerationInput(sequence(references.get(i % references.size()).image()),
                    GenerationSettings.greedy(maxNew[i]), new long[0]));
        }
        return inputs;
    }

    private static List<long[]> alone(InputEmbedder embedder, List<GenerationInput> inputs) {
        BatchGenerator solo = new BatchGenerator(decoder, embedder, 0, vocab);
        List<long[]> alone = new ArrayList<>();
        for (GenerationInput in : inputs) {
            alone.add(solo.generate(List.of(in)).outputs().get(0).tokenIds());
        }
        return alone;
    }

    private static float[][] rows(DecoderSession.Logits logits, int keep) {
        float[][] out = new float[logits.batch() * keep][];
        for (int b = 0; b < logits.batch(); b++) {
            for (int p = 0; p < keep; p++) {
                out[b * keep + p] = logits.row(b, p);
            }
        }
        return out;
    }

    /** Logits of one decode step from {@code cache}, every row fed token 1. */
    private static float[][] nextStep(InputEmbedder embedder, LeftPaddedBatch batch, DecoderCache cache) {
        int n = batch.batch();
        long[] tokens = new long[n];
        Arrays.fill(tokens, 1);
        long[] positions = new long[n];
        long[] mask = new long[n * (batch.width() + 1)];
        for (int b = 0; b < n; b++) {
            positions[b] = batch.lengths()[b];
            System.arraycopy(batch.mask(), b * batch.width(), mask, b * (batch.width() + 1), batch.width());
            mask[b * (batch.width() + 1) + batch.width()] = 1;
        }
        DecoderSession.Step step = decoder.run(embedder.embedTokens(tokens), n, 1, mask, positions, cache, 1);
        try (DecoderCache ignored = step.cache()) {
            return rows(step.logits(), 1);
        }
    }

    private static void collect(Map<Integer, long[]> got, List<ContinuousBatch.Finished<Integer>> finished) {
        for (ContinuousBatch.Finished<Integer> f : finished) {
            assertThat(got.put(f.key(), f.output().tokenIds())).as("finished twice: %d", f.key()).isNull();
        }
    }

    private static SequenceInput sequence(String image) {
        return TinyModel.upstreamSequence(reference, image);
    }
}
