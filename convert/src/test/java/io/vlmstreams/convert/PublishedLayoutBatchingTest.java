package io.vlmstreams.convert;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.vlmstreams.inference.engine.BatchingPlan;
import io.vlmstreams.inference.engine.EngineConfig;
import io.vlmstreams.inference.engine.GenerationSettings;
import io.vlmstreams.inference.engine.InferenceRequest;
import io.vlmstreams.inference.engine.InferenceResult;
import io.vlmstreams.inference.engine.LocalInferenceEngine;
import io.vlmstreams.inference.engine.Outcome;
import io.vlmstreams.inference.engine.TinyModel;
import io.vlmstreams.inference.model.OnnxDtype;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine on each published graph structure (this project's onnx-community graphs, Liquid AI's
 * GroupQueryAttention decoder with rotary inside it or as RotaryEmbedding, and its vision encoder that
 * sizes position embeddings once per call): the batching plan it chooses at load, upstream's tokens
 * on every reference image (Storm is tiled: thumbnail and tiles differ in shape), a mixed batch of
 * eight equal to each request alone, and the self-check catching what a too-loose plan would get wrong.
 */
class PublishedLayoutBatchingTest {

    private static final String PROMPT = "Describe this image.";

    private static final List<OnnxDtype> PRECISIONS = List.of(OnnxDtype.FP32, OnnxDtype.FP16, OnnxDtype.Q8, OnnxDtype.Q4,
            OnnxDtype.Q4F16);
    private static final java.util.Map<String, Path> FOLDERS = new java.util.concurrent.ConcurrentHashMap<>();

    @TempDir
    static Path folders;

    static Stream<Arguments> layouts() {
        List<Arguments> out = new ArrayList<>();
        for (OnnxDtype d : PRECISIONS) {
            out.add(Arguments.of("onnx-community", new LayoutOptions(Layout.ONNX_COMMUNITY, GraphStems.DEFAULT, Rotary.GQA), d, true));
            out.add(Arguments.of("liquid", new LayoutOptions(Layout.LIQUID, GraphStems.DEFAULT, Rotary.GQA), d, false));
        }
        out.add(Arguments.of("liquid rotary-embedding", new LayoutOptions(Layout.LIQUID, GraphStems.DEFAULT, Rotary.EMBEDDING),
                OnnxDtype.FP32, false));
        return out.stream();
    }

    /** One folder per layout holding every precision, as published folders do. */
    private static Path folder(String name, LayoutOptions layout) {
        return FOLDERS.computeIfAbsent(name, n -> new CheckpointConverter().convert(TinyModel.checkpoint(),
                folders.resolve(n.replace(' ', '-')), PRECISIONS, layout).folder());
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("layouts")
    void batchedAnswersEqualAloneOnEveryLayoutAndPrecision(String name, LayoutOptions layout, OnnxDtype dtype,
                                                           boolean padsFreely) throws Exception {
        Path dir = folder(name, layout);
        try (LocalInferenceEngine engine = LocalInferenceEngine.open(EngineConfig.defaults(dir).withDtype(dtype.label()))) {
            BatchingPlan plan = engine.batchingPlan();
            System.out.printf("LAYOUT %s %s: batching plan %s%n", name, dtype, plan.describe());
            if (padsFreely && dtype == OnnxDtype.FP32) {
                assertThat(plan.decode()).isEqualTo(BatchingPlan.DecodeSharing.ANY_LENGTHS);
                assertThat(plan.vision()).isEqualTo(BatchingPlan.VisionSharing.ANY_SHAPES);
            } else if (!padsFreely) {
                assertThat(plan.decode()).isNotEqualTo(BatchingPlan.DecodeSharing.ANY_LENGTHS);
                assertThat(plan.vision()).isNotEqualTo(BatchingPlan.VisionSharing.ANY_SHAPES);
                // started from the loosest plan, as a graph that hid its traits would be, the self-check tightens it
                BatchingPlan checked = engine.selfCheck(new BatchingPlan(BatchingPlan.DecodeSharing.ANY_LENGTHS,
                        BatchingPlan.VisionSharing.ANY_SHAPES, "assumed loosest"));
                System.out.printf("LAYOUT %s %s: self-check from the loosest plan: %s%n", name, dtype, checked.describe());
                assertThat(checked.decode()).isNotEqualTo(BatchingPlan.DecodeSharing.ANY_LENGTHS);
                assertThat(checked.vision()).isNotEqualTo(BatchingPlan.VisionSharing.ANY_SHAPES);
                if (layout.rotary() == Rotary.GQA && dtype == OnnxDtype.FP32) {
                    // GQA takes each row's length and positions from the mask: decode rows of any lengths, right-padded
                    assertThat(plan.decode()).isEqualTo(BatchingPlan.DecodeSharing.RIGHT_PADDED);
                    assertThat(checked.decode()).isEqualTo(BatchingPlan.DecodeSharing.RIGHT_PADDED);
                }
                if (layout.rotary() == Rotary.EMBEDDING) {
                    // positions from the batch's past length: right-padded rows would be rotated wrongly, and the check sees it
                    assertThat(plan.decode()).isEqualTo(BatchingPlan.DecodeSharing.EQUAL_LENGTHS);
                    assertThat(checked.decode()).isIn(BatchingPlan.DecodeSharing.EQUAL_LENGTHS, BatchingPlan.DecodeSharing.ONE_ROW);
                    assertThat(checked.basis()).contains("rows of different lengths, right-padded, batched differ from alone");
                }
            }

            List<TinyModel.Reference> references = TinyModel.references();
            List<InferenceRequest> refs = new ArrayList<>();
            for (TinyModel.Reference ref : references) {
                refs.add(InferenceRequest.generate(ref.image(), TinyModel.imageBytes(ref.image()), PROMPT, GenerationSettings.greedy(12)));
            }
            List<Outcome> together = engine.runBatch(refs);
            for (int i = 0; i < references.size(); i++) {
                InferenceResult alone = success(engine.runBatch(List.of(refs.get(i))).get(0));
                assertThat(success(together.get(i)).tokenIds()).as("%s batched on %s %s", references.get(i).image(), name, dtype)
                        .isEqualTo(alone.tokenIds());
                if (dtype == OnnxDtype.FP32) {
                    assertThat(alone.tokenIds()).as("%s alone on %s", references.get(i).image(), name)
                            .containsExactly(references.get(i).tokenIds());
                }
            }

            List<InferenceRequest> mixed = List.of(
                    greedy("a", "coins.png", PROMPT, 6), greedy("b", "text.png", "What is written here?", 5),
                    greedy("c", "Storm.jpg", "Describe.", 4), greedy("d", "green_palette.png", "Colour?", 7),
                    greedy("e", "coins.png", PROMPT, 3), greedy("f", "logo.png", PROMPT, 2),
                    InferenceRequest.classify("g", TinyModel.imageBytes("retina.jpg"), "Is this a cat or a dog?",
                            List.of("cat", "dog", "neither"), GenerationSettings.greedy(1)),
                    greedy("h", "microaneurysms.png", PROMPT, 5));
            List<Outcome> batched = engine.runBatch(mixed);
            for (int i = 0; i < mixed.size(); i++) {
                InferenceResult alone = success(engine.runBatch(List.of(mixed.get(i))).get(0));
                InferenceResult inBatch = success(batched.get(i));
                assertThat(inBatch.tokenIds()).as("%s on %s", mixed.get(i).requestId(), name).isEqualTo(alone.tokenIds());
                for (int l = 0; l < alone.labelScores().size(); l++) {
                    assertThat(inBatch.labelScores().get(l).score()).as("label %d of %s on %s", l, mixed.get(i).requestId(), name)
                            .isCloseTo(alone.labelScores().get(l).score(), org.assertj.core.data.Offset.offset(1e-4));
                }
            }
        }
    }

    private static InferenceRequest greedy(String id, String image, String prompt, int maxNew) {
        return InferenceRequest.generate(id, TinyModel.imageBytes(image), prompt, GenerationSettings.greedy(maxNew));
    }

    private static InferenceResult success(Outcome o) {
        assertThat(o).isInstanceOf(Outcome.Success.class);
        return ((Outcome.Success) o).result();
    }
}
