package io.vlmstreams.inference.engine;

import io.vlmstreams.inference.engine.EngineConfig;
import io.vlmstreams.inference.engine.GenerationSettings;
import io.vlmstreams.inference.engine.ImageOptions;
import io.vlmstreams.inference.engine.InferenceException;
import io.vlmstreams.inference.engine.InferenceRequest;
import io.vlmstreams.inference.engine.InferenceResult;
import io.vlmstreams.inference.engine.LocalInferenceEngine;
import io.vlmstreams.inference.engine.Outcome;
import io.vlmstreams.inference.onnx.ExecutionProvider;
import io.vlmstreams.inference.onnx.RuntimeConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine end to end on the upstream tiny LFM2-VL converted to ONNX: from image files and the
 * prompt "Describe this image." the prompt ids and greedy tokens equal upstream's reference.
 */
class LocalInferenceEngineTest {

    private static final String PROMPT = "Describe this image.";

    @TempDir
    static Path temp;

    private static Path model;
    private static LocalInferenceEngine engine;
    private static List<TinyModel.Reference> references;

    @BeforeAll
    static void convertAndOpen() throws Exception {
        model = TinyModel.onnxFolder();
        references = TinyModel.references();
        engine = LocalInferenceEngine.open(EngineConfig.defaults(model).withImageLimits(
                io.vlmstreams.inference.image.ImageLimits.defaults().withApplyExifOrientation(false)));
    }

    @AfterAll
    static void closeEngine() {
        if (engine != null) {
            engine.close();
        }
    }

    private static InferenceRequest greedy(String id, String image, String prompt, int maxNew) {
        return InferenceRequest.generate(id, TinyModel.imageBytes(image), prompt, GenerationSettings.greedy(maxNew));
    }

    private static InferenceResult success(Outcome o) {
        assertThat(o).isInstanceOf(Outcome.Success.class);
        return ((Outcome.Success) o).result();
    }

    @Test
    void greedyTokensEqualUpstreamForEveryReferenceImage() {
        for (TinyModel.Reference ref : references) {
            InferenceResult r = success(engine.runBatch(List.of(greedy(ref.image(), ref.image(), PROMPT, 12))).get(0));
            assertThat(r.promptTokenIds()).as("prompt ids of %s", ref.image()).containsExactly(ref.promptTokenIds());
            assertThat(r.tokenIds()).as("tokens of %s", ref.image()).containsExactly(ref.tokenIds());
            assertThat(r.finishReason()).isEqualTo(InferenceResult.FinishReason.LENGTH);
            assertThat(r.timings()).isNotNull();
        }
    }

    @Test
    void referenceImagesRunAsOneCallShareEveryDecoderStepAndGiveTheReferenceTokens() {
        List<InferenceRequest> batch = new ArrayList<>();
        for (TinyModel.Reference ref : references) {
            batch.add(greedy(ref.image(), ref.image(), PROMPT, 12));
        }
        EngineStats.Snapshot before = engine.stats().snapshot();
        List<Outcome> out = engine.runBatch(batch);
        EngineStats.Snapshot did = engine.stats().snapshot().minus(before);
        for (int i = 0; i < references.size(); i++) {
            assertThat(success(out.get(i)).tokenIds()).as("tokens of %s in a batch", references.get(i).image())
                    .containsExactly(references.get(i).tokenIds());
        }
        // one model batch: the first tokens come from prefill, then 11 decoder calls carry all four sequences
        // (run one by one, they would take 44 calls of one sequence each)
        assertThat(did.batches()).isEqualTo(1);
        assertThat(did.requests()).isEqualTo(references.size());
        assertThat(did.decodeSteps()).isEqualTo(11);
        assertThat(did.decodedRows()).isEqualTo(11L * references.size());
    }

    @Test
    void aRequestGivesTheSameTokensAloneAndInAMixedBatchOfEight() {
        List<InferenceRequest> mixed = List.of(
                greedy("a", "coins.png", PROMPT, 9),
                InferenceRequest.generate("b", TinyModel.imageBytes("text.png"), "What is written here?",
                        new GenerationSettings(5, 0.8, 20, 0.9, 0.05, 1.1, 3)),
                greedy("c", "Storm.jpg", "Describe.", 4),
                InferenceRequest.classify("d", TinyModel.imageBytes("retina.jpg"), "Is this a cat or a dog?",
                        List.of("cat", "dog", "neither"), GenerationSettings.greedy(1)),
                new InferenceRequest("e", TinyModel.imageBytes("motorcycle_right.png"), PROMPT, InferenceRequest.Mode.GENERATE,
                        List.of(), GenerationSettings.recommended(7, 11), new ImageOptions(32, 64, false)),
                greedy("f", "green_palette.png", "Colour?", 12),
                greedy("g", "logo.png", PROMPT, 1),
                InferenceRequest.generate("h", TinyModel.imageBytes("microaneurysms.png"), PROMPT,
                        new GenerationSettings(10, 1.0, 0, 1.0, 0.0, 1.0, 99)));
        List<Outcome> together = engine.runBatch(mixed);
        assertThat(together).hasSize(8);
        for (int i = 0; i < mixed.size(); i++) {
            InferenceResult alone = success(engine.runBatch(List.of(mixed.get(i))).get(0));
            InferenceResult inBatch = success(together.get(i));
            assertThat(inBatch.requestId()).isEqualTo(mixed.get(i).requestId());
            assertThat(inBatch.promptTokenIds()).isEqualTo(alone.promptTokenIds());
            assertThat(inBatch.tokenIds()).as("tokens of %s", mixed.get(i).requestId()).isEqualTo(alone.tokenIds());
            assertThat(inBatch.text()).isEqualTo(alone.text());
            for (int l = 0; l < alone.labelScores().size(); l++) {
                assertThat(inBatch.labelScores().get(l).score())
                        .isCloseTo(alone.labelScores().get(l).score(), org.assertj.core.data.Offset.offset(1e-3));
            }
        }
        assertThat(success(together.get(0)).tokenIds()).hasSize(9);
        assertThat(success(together.get(6)).tokenIds()).hasSize(1);
    }

    @Test
    void classificationScoresEveryLabelAndPicksTheBest() {
        List<String> labels = List.of("a storm", "a garden", "coins", "text");
        InferenceResult r = success(engine.runBatch(List.of(InferenceRequest.classify("cls",
                TinyModel.imageBytes("coins.png"), "What is this?", labels, GenerationSettings.greedy(1)))).get(0));
        assertThat(r.finishReason()).isEqualTo(InferenceResult.FinishReason.CLASSIFIED);
        assertThat(r.labelScores()).extracting(InferenceResult.LabelScore::label).containsExactlyElementsOf(labels);
        assertThat(r.labelScores()).allSatisfy(s -> assertThat(s.score()).isFinite().isNegative());
        InferenceResult.LabelScore best = r.labelScores().stream()
                .max((x, y) -> Double.compare(x.score(), y.score())).orElseThrow();
        assertThat(r.text()).isEqualTo(best.label());
    }

    @Test
    void badImagesFailWithTypedErrorsWhileBatchMatesSucceed() {
        byte[] storm = TinyModel.imageBytes("Storm.jpg");
        byte[] truncated = Arrays.copyOf(storm, storm.length / 3);
        byte[] garbage = "definitely not an image".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        List<Outcome> out = engine.runBatch(List.of(
                greedy("ok1", "coins.png", PROMPT, 3),
                InferenceRequest.generate("garbage", garbage, PROMPT, GenerationSettings.greedy(3)),
                InferenceRequest.generate("truncated", truncated, PROMPT, GenerationSettings.greedy(3)),
                greedy("ok2", "text.png", PROMPT, 3)));
        assertThat(success(out.get(0)).tokenIds()).hasSize(3);
        assertThat(success(out.get(3)).tokenIds()).hasSize(3);
        assertThat(out.get(1)).isInstanceOfSatisfying(Outcome.Failure.class,
                f -> assertThat(f.error().kind()).isEqualTo(InferenceException.Kind.IMAGE_UNDECODABLE));
        assertThat(out.get(2)).isInstanceOfSatisfying(Outcome.Failure.class,
                f -> assertThat(f.error().kind()).isEqualTo(InferenceException.Kind.IMAGE_UNDECODABLE));
        assertThat(out.get(1).requestId()).isEqualTo("garbage");
    }

    @Test
    void samplingIsReproducibleForASeedAndDiffersAcrossSeeds() {
        GenerationSettings s7 = new GenerationSettings(12, 1.5, 0, 1.0, 0.0, 1.0, 7);
        GenerationSettings s8 = new GenerationSettings(12, 1.5, 0, 1.0, 0.0, 1.0, 8);
        byte[] img = TinyModel.imageBytes("coins.png");
        List<Outcome> out = engine.runBatch(List.of(
                InferenceRequest.generate("s7a", img, PROMPT, s7),
                InferenceRequest.generate("s7b", img, PROMPT, s7),
                InferenceRequest.generate("s8", img, PROMPT, s8)));
        long[] a = success(out.get(0)).tokenIds();
        assertThat(success(out.get(1)).tokenIds()).isEqualTo(a);
        assertThat(success(engine.runBatch(List.of(InferenceRequest.generate("again", img, PROMPT, s7))).get(0)).tokenIds())
                .isEqualTo(a);
        assertThat(success(out.get(2)).tokenIds()).isNotEqualTo(a);
    }

    /**
     * Holds the model thread before its first decode step until a batch holding {@code joiner} is
     * queued, and records the request ids every decode step carries.
     */
    private static final class JoinGate implements ModelHooks {
        private final String joiner;
        private final CountDownLatch held = new CountDownLatch(1);
        private final CountDownLatch joinerQueued = new CountDownLatch(1);
        private final List<List<String>> steps = new java.util.concurrent.CopyOnWriteArrayList<>();

        JoinGate(String joiner) {
            this.joiner = joiner;
        }

        @Override
        public void queued(List<PreparedRequest> batch) {
            if (batch.stream().anyMatch(p -> p.request().requestId().equals(joiner))) {
                joinerQueued.countDown();
            }
        }

        @Override
        public void beforeDecodeStep(List<PreparedRequest> decoding) {
            steps.add(decoding.stream().map(p -> p.request().requestId()).toList());
            if (held.getCount() > 0) {
                held.countDown();
                await(joinerQueued);
            }
        }

        void awaitHeld() {
            await(held);
        }

        int lastStepCarrying(String id) {
            for (int i = steps.size() - 1; i >= 0; i--) {
                if (steps.get(i).contains(id)) {
                    return i;
                }
            }
            return -1;
        }

        private static void await(CountDownLatch latch) {
            try {
                // a bound only so that a broken engine fails the test instead of hanging it
                if (!latch.await(120, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the gate was never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void aBatchFromAnotherCallerJoinsTheRunningDecodeAndFinishesFirst() throws Exception {
        TinyModel.Reference a = references.get(0);
        TinyModel.Reference b = references.get(1);
        List<InferenceRequest> longBatch = List.of(greedy("long-1", a.image(), PROMPT, 40), greedy("long-2", b.image(), PROMPT, 40));
        InferenceRequest shortRequest = greedy("short", b.image(), PROMPT, 12);
        JoinGate gate = new JoinGate("short");
        try (LocalInferenceEngine gated = LocalInferenceEngine.open(EngineConfig.defaults(model).withImageLimits(
                io.vlmstreams.inference.image.ImageLimits.defaults().withApplyExifOrientation(false)), gate)) {
            CompletableFuture<List<Outcome>> running = CompletableFuture.supplyAsync(() -> gated.runBatch(longBatch));
            gate.awaitHeld();
            // the long batch is on board and its first decode step waits until this call's batch is queued
            InferenceResult quick = success(gated.runBatch(List.of(shortRequest)).get(0));
            List<Outcome> longOutcomes = running.get();

            assertThat(quick.tokenIds()).containsExactly(b.tokenIds());
            assertThat(gate.steps.get(0)).containsExactlyInAnyOrder("long-1", "long-2");
            assertThat(gate.steps.get(1)).as("the short batch boarded between the long batch's steps")
                    .containsExactlyInAnyOrder("long-1", "long-2", "short");
            assertThat(gate.lastStepCarrying("short")).as("the short batch left while the long one decoded on")
                    .isLessThan(gate.lastStepCarrying("long-1")).isLessThan(gate.lastStepCarrying("long-2"));
            for (int i = 0; i < longBatch.size(); i++) {
                InferenceResult joined = success(longOutcomes.get(i));
                InferenceResult alone = success(engine.runBatch(List.of(longBatch.get(i))).get(0));
                assertThat(joined.finishReason()).isEqualTo(alone.finishReason());
                assertThat(joined.tokenIds()).as("request %d beside a joining batch vs alone", i)
                        .hasSizeGreaterThan(12).containsExactly(alone.tokenIds());
            }
            assertThat(gated.decodingSequences()).isZero();
        }
    }

    @Test
    void cudaRequestedWithoutAGpuRunsOnCpuAndSaysWhy() {
        try (LocalInferenceEngine cuda = LocalInferenceEngine.open(
                EngineConfig.defaults(model).withRuntime(RuntimeConfig.of(ExecutionProvider.CUDA)))) {
            // this test machine has no GPU: CUDA either is not in the build or fails to load
            org.junit.jupiter.api.Assumptions.assumeTrue(cuda.executionProvider().equals("CPU"), "a GPU is present");
            TinyModel.Reference ref = references.get(1);
            InferenceResult r = success(cuda.runBatch(List.of(greedy("cpu", ref.image(), PROMPT, 12))).get(0));
            assertThat(r.tokenIds()).containsExactly(ref.tokenIds());
        }
    }
}
