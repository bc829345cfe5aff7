package io.vlmstreams.inference.engine;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.vlmstreams.inference.engine.TinyParts.greedy;
import static io.vlmstreams.inference.engine.TinyParts.success;
import static org.assertj.core.api.Assertions.assertThat;

/** One model batch on the tiny model: generation and classification side by side, and a failing request isolated. */
class BatchRunnerTest {

    private static final TinyParts.FailingHooks hooks = new TinyParts.FailingHooks();
    private static final EngineStats stats = new EngineStats();
    private static ModelParts parts;
    private static List<TinyModel.Reference> references;

    @BeforeAll
    static void open() throws Exception {
        parts = TinyParts.open(hooks, stats);
        references = TinyModel.references();
    }

    @AfterAll
    static void close() {
        if (parts != null) {
            parts.close();
        }
    }

    @AfterEach
    void noFaults() {
        hooks.failing.clear();
    }

    private static List<PreparedRequest> prepared(List<InferenceRequest> requests) {
        return requests.stream().map(parts.preparer::prepare).toList();
    }

    @Test
    void aBatchDecodesItsSequencesTogetherAndEachGetsTheReferenceTokens() {
        List<InferenceRequest> requests = new ArrayList<>();
        for (TinyModel.Reference ref : references) {
            requests.add(greedy(ref.image(), ref.image(), 12));
        }
        EngineStats.Snapshot before = stats.snapshot();
        List<Outcome> out = parts.runner.run(prepared(requests), new long[requests.size()]);
        EngineStats.Snapshot did = stats.snapshot().minus(before);

        for (int i = 0; i < references.size(); i++) {
            assertThat(success(out.get(i)).tokenIds()).as("tokens of %s", references.get(i).image())
                    .containsExactly(references.get(i).tokenIds());
        }
        // the first token comes from prefill; each of the 11 decoder calls carried every sequence
        assertThat(did.batches()).isEqualTo(1);
        assertThat(did.decodeSteps()).isEqualTo(11);
        assertThat(did.decodedRows()).isEqualTo(11L * references.size());
        assertThat(did.generatedTokens()).isEqualTo(12L * references.size());
    }

    @Test
    void generationAndClassificationShareABatchAndKeepTheirOrder() {
        List<String> labels = List.of("a storm", "coins", "text");
        List<InferenceRequest> requests = List.of(
                greedy("gen-1", "coins.png", 4),
                InferenceRequest.classify("cls", TinyModel.imageBytes("coins.png"), "What is this?", labels,
                        GenerationSettings.greedy(1)),
                greedy("gen-2", "text.png", 2));
        List<Outcome> out = parts.runner.run(prepared(requests), new long[3]);

        assertThat(out).extracting(Outcome::requestId).containsExactly("gen-1", "cls", "gen-2");
        assertThat(success(out.get(0)).tokenIds()).hasSize(4);
        assertThat(success(out.get(2)).tokenIds()).hasSize(2);
        InferenceResult cls = success(out.get(1));
        assertThat(cls.finishReason()).isEqualTo(InferenceResult.FinishReason.CLASSIFIED);
        assertThat(cls.labelScores()).extracting(InferenceResult.LabelScore::label).containsExactlyElementsOf(labels);
        InferenceResult alone = success(parts.runner.run(prepared(List.of(requests.get(1))), new long[1]).get(0));
        assertThat(cls.text()).isEqualTo(alone.text());
        for (int l = 0; l < labels.size(); l++) {
            assertThat(cls.labelScores().get(l).score())
                    .isCloseTo(alone.labelScores().get(l).score(), org.assertj.core.data.Offset.offset(1e-3));
        }
    }

    @Test
    void aRequestThatFailsInTheModelIsIsolatedAndItsBatchMatesAreAnswered() {
        List<InferenceRequest> requests = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            requests.add(greedy("r" + i, "text.png", 3));
        }
        List<PreparedRequest> batch = prepared(requests);
        long[] expected = success(parts.runner.run(batch.subList(0, 1), new long[1]).get(0)).tokenIds();
        hooks.failing.add("r2");
        EngineStats.Snapshot before = stats.snapshot();
        List<Outcome> out = parts.runner.run(batch, new long[4]);
        EngineStats.Snapshot did = stats.snapshot().minus(before);

        assertThat(out.get(2)).isInstanceOfSatisfying(Outcome.Failure.class, f -> {
            assertThat(f.requestId()).isEqualTo("r2");
            assertThat(f.error().kind()).isEqualTo(InferenceException.Kind.INFERENCE_FAILED);
            assertThat(f.error().getMessage()).contains("test fault for r2");
        });
        for (int i : new int[] {0, 1, 3}) {
            assertThat(success(out.get(i)).tokenIds()).as("r%d", i).containsExactly(expected);
        }
        // [r0..r3] fails -> [r0,r1] answered; [r2,r3] fails -> [r2] fails alone, [r3] answered
        assertThat(did.batches()).isEqualTo(2);
        assertThat(did.requests()).isEqualTo(3);
    }
}
