package io.vlmstreams.inference.engine;

import io.vlmstreams.inference.engine.BatchMemoryEstimator;
import io.vlmstreams.inference.engine.EngineConfig;
import io.vlmstreams.inference.engine.EngineStats;
import io.vlmstreams.inference.engine.GenerationSettings;
import io.vlmstreams.inference.engine.InferenceException;
import io.vlmstreams.inference.engine.InferenceRequest;
import io.vlmstreams.inference.engine.LocalInferenceEngine;
import io.vlmstreams.inference.engine.Outcome;
import io.vlmstreams.inference.engine.PreparedRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's failure seams on the real tiny model: an injected model failure is narrowed down to
 * its one request by split-and-retry, and the memory budget splits batches before they run.
 */
class EngineReliabilityTest {

    private static final long MB = 1 << 20;

    @TempDir
    static Path temp;

    private static Path model;

    @BeforeAll
    static void convert() {
        model = TinyModel.onnxFolder();
    }

    private static List<InferenceRequest> requests(int n, int maxNew) {
        List<InferenceRequest> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(InferenceRequest.generate("r" + i, TinyModel.imageBytes("green_palette.png"), "Describe this image.",
                    GenerationSettings.greedy(maxNew)));
        }
        return out;
    }

    @Test
    void anInjectedModelFailureIsNarrowedToItsRequestAndTheOthersAreAnswered() {
        EngineConfig config = EngineConfig.defaults(model).withFaultInjection(Set.of("r5"));
        try (LocalInferenceEngine engine = LocalInferenceEngine.open(config)) {
            List<Outcome> outcomes = engine.runBatch(requests(8, 3));
            EngineStats.Snapshot stats = engine.stats().snapshot();

            assertThat(outcomes).hasSize(8);
            for (int i = 0; i < 8; i++) {
                if (i == 5) {
                    assertThat(outcomes.get(i)).isInstanceOfSatisfying(Outcome.Failure.class, f -> {
                        assertThat(f.requestId()).isEqualTo("r5");
                        assertThat(f.error().kind()).isEqualTo(InferenceException.Kind.INFERENCE_FAILED);
                        assertThat(f.error().getMessage()).contains("injected fault");
                    });
                } else {
                    assertThat(outcomes.get(i)).as("r" + i).isInstanceOf(Outcome.Success.class);
                }
            }
            // [0..7] fails -> [0..3] ok; [4..7] fails -> [4,5] fails -> [4] ok, [5] dead; [6,7] ok: 3 batches answer 7.
            System.out.printf("FAULT INJECTION: 8 requests, failing r5 -> answered %d in %d batches, 1 dead%n",
                    stats.requests(), stats.batches());
            assertThat(stats.requests()).isEqualTo(7);
            assertThat(stats.batches()).isEqualTo(3);
        }
    }

    @Test
    void aFailedDecodeStepRerunsEveryBatchOnBoardAndAllAreAnswered() {
        List<Outcome> expected;
        try (LocalInferenceEngine engine = LocalInferenceEngine.open(EngineConfig.defaults(model))) {
            expected = engine.runBatch(requests(4, 6));
        }
        EngineConfig config = EngineConfig.defaults(model).withFaultInjection(Set.of("decode:r2"));
        try (LocalInferenceEngine engine = LocalInferenceEngine.open(config)) {
            List<Outcome> outcomes = engine.runBatch(requests(4, 6));
            assertThat(outcomes).hasSize(4);
            for (int i = 0; i < 4; i++) {
                long[] want = ((Outcome.Success) expected.get(i)).result().tokenIds();
                assertThat(outcomes.get(i)).as("r" + i).isInstanceOfSatisfying(Outcome.Success.class,
                        s -> assertThat(s.result().tokenIds()).hasSize(6).containsExactly(want));
            }
            // the first pass failed at its first decode step; the rerun on its own answered all four
            assertThat(engine.stats().snapshot().requests()).isEqualTo(4);
            assertThat(engine.decodingSequences()).isZero();
        }
    }

    @Test
    void faultInjectionIsOffByDefault() {
        try (LocalInferenceEngine engine = LocalInferenceEngine.open(EngineConfig.defaults(model))) {
            assertThat(engine.runBatch(requests(2, 2))).allMatch(o -> o instanceof Outcome.Success);
            assertThat(engine.stats().snapshot().batches()).isEqualTo(1);
        }
    }

    @Test
    void aBatchOverTheMemoryBudgetIsSplitNotRun() {
        List<InferenceRequest> four = requests(4, 48);
        long one;
        long two;
        long all;
        try (LocalInferenceEngine probe = LocalInferenceEngine.open(EngineConfig.defaults(model))) {
            BatchMemoryEstimator estimator = new BatchMemoryEstimator(probe.folder().config(), Float.BYTES);
            List<PreparedRequest> prepared = four.stream().map(probe::prepare).toList();
            one = estimator.bytes(prepared.subList(0, 1));
            two = estimator.bytes(prepared.subList(0, 2));
            all = estimator.bytes(prepared);
        }
        int budgetMb = (int) ((two + MB - 1) / MB);
        System.out.printf("MEMORY BUDGET: estimate 1 request %.2f MB, 2 requests %.2f MB, 4 requests %.2f MB; budget %d MB%n",
                one / (double) MB, two / (double) MB, all / (double) MB, budgetMb);
        assertThat(all).as("the batch of four must not fit the budget").isGreaterThan(budgetMb * MB);

        try (LocalInferenceEngine engine = LocalInferenceEngine.open(EngineConfig.defaults(model).withMaxBatchMemoryMb(budgetMb))) {
            List<Outcome> outcomes = engine.runBatch(four);
            EngineStats.Snapshot stats = engine.stats().snapshot();
            assertThat(outcomes).allMatch(o -> o instanceof Outcome.Success);
            assertThat(stats.requests()).isEqualTo(4);
            assertThat(stats.batches()).as("four requests run as two batches of two").isEqualTo(2);
        }
    }

    @Test
    void aRequestOverTheBudgetOnItsOwnIsRefusedAndItsBatchMatesRun() {
        List<InferenceRequest> small = requests(2, 2);
        List<InferenceRequest> batch = new ArrayList<>(small);
        batch.add(1, InferenceRequest.generate("huge", TinyModel.imageBytes("green_palette.png"), "Describe this image.",
                GenerationSettings.greedy(4000)));
        long smallBytes;
        long hugeBytes;
        try (LocalInferenceEngine probe = LocalInferenceEngine.open(EngineConfig.defaults(model))) {
            BatchMemoryEstimator estimator = new BatchMemoryEstimator(probe.folder().config(), Float.BYTES);
            smallBytes = estimator.bytes(small.stream().map(probe::prepare).toList());
            hugeBytes = estimator.bytes(List.of(probe.prepare(batch.get(1))));
        }
        int budgetMb = (int) ((smallBytes + MB - 1) / MB);
        assertThat(hugeBytes).isGreaterThan(budgetMb * MB);
        try (LocalInferenceEngine engine = LocalInferenceEngine.open(EngineConfig.defaults(model).withMaxBatchMemoryMb(budgetMb))) {
            List<Outcome> outcomes = engine.runBatch(batch);
            assertThat(outcomes.get(0)).isInstanceOf(Outcome.Success.class);
            assertThat(outcomes.get(2)).isInstanceOf(Outcome.Success.class);
            assertThat(outcomes.get(1)).isInstanceOfSatisfying(Outcome.Failure.class, f -> {
                assertThat(f.error().kind()).isEqualTo(InferenceException.Kind.IMAGE_TOO_LARGE);
                assertThat(f.error().getMessage()).contains("memory", "budget");
            });
        }
    }
}
