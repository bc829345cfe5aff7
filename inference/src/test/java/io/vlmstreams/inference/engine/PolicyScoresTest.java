package io.vlmstreams.inference.engine;

import io.vlmstreams.inference.generate.InputEmbedder;
import io.vlmstreams.inference.generate.LeftPaddedBatch;
import io.vlmstreams.inference.generate.PolicyScorer;
import io.vlmstreams.inference.generate.SequenceInput;
import io.vlmstreams.inference.onnx.DecoderCache;
import io.vlmstreams.inference.onnx.DecoderSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * MODERATE on the tiny model: eight policies scored from one image pass (prefix prefilled once, its
 * cache copied per question, questions of different lengths in one call) equal each question run
 * alone from scratch (its whole prompt prefilled as one row), alone and with other images in the
 * batch; a policy is flagged at or above its threshold.
 */
class PolicyScoresTest {

    static final List<Policy> POLICIES = List.of(
            new Policy("nudity", "Does this image show nudity?", 0.5),
            new Policy("violence", "Is there violence or gore in this image?", 0.5),
            new Policy("weapons", "Is a weapon visible?", 0.2),
            new Policy("minors", "Are there children in the picture?", 0.5),
            new Policy("drugs", "Does the image show drugs or drug use?", 0.5),
            new Policy("hate", "Does it contain hate symbols?", 0.5),
            new Policy("text", "Is there any text in the image?", 0.01),
            new Policy("selfharm", "Does the image show self-harm? Answer yes or no.", 0.99));

    @RegisterExtension
    static final TinyEngineAndParts TINY = new TinyEngineAndParts();

    private static InferenceRequest moderate(String image) {
        return InferenceRequest.moderate(image, TinyModel.imageBytes(image), "You check images against policies.", POLICIES, null);
    }

    /** Each policy's P(yes) with its whole prompt prefilled from an empty cache, one row. */
    private static double[] fromScratch(PreparedRequest p) {
        ModelParts parts = TINY.parts();
        List<float[]> features = new ImageEncoder(parts.sessions.vision, 64).encode(List.of(p.image()));
        InputEmbedder embedder = new InputEmbedder(parts.sessions.embed, parts.folder.config().imageTokenId());
        DecoderSession decoder = parts.sessions.decoder;
        YesNoTokens yesNo = YesNoTokens.of(parts.tokenizer);
        PolicyScorer probability = new PolicyScorer(decoder, embedder, 0, parts.tokenizer.vocabSize(), PolicyScorer.Sharing.ONE_ROW);
        double[] out = new double[p.labelTokenIds().size()];
        for (int q = 0; q < out.length; q++) {
            long[] suffix = p.labelTokenIds().get(q);
            long[] full = new long[p.promptIds().length + suffix.length];
            System.arraycopy(p.promptIds(), 0, full, 0, p.promptIds().length);
            System.arraycopy(suffix, 0, full, p.promptIds().length, suffix.length);
            LeftPaddedBatch one = LeftPaddedBatch.of(List.of(full), 0);
            float[] embeds = embedder.embed(one, List.of(new SequenceInput(full, features.get(0))));
            try (DecoderCache empty = decoder.emptyCache(1)) {
                DecoderSession.Step step = decoder.run(embeds, 1, full.length, one.mask(), one.positions(), empty, 1);
                try (DecoderCache ignored = step.cache()) {
                    out[q] = probability.yesProbability(step.logits().last(0), yesNo.yes(), yesNo.no());
                }
            }
        }
        return out;
    }

    private static InferenceResult success(Outcome o) {
        assertThat(o).as("%s", o).isInstanceOf(Outcome.Success.class);
        return ((Outcome.Success) o).result();
    }

    @Test
    void eightPoliciesFromOneImagePassEqualEachQuestionFromScratch() {
        List<String> images = List.of("Garden.jpg", "coins.png", "Storm.jpg");
        List<InferenceRequest> batch = new ArrayList<>();
        images.forEach(i -> batch.add(moderate(i)));
        List<Outcome> together = TINY.engine().runBatch(batch);
        for (int i = 0; i < images.size(); i++) {
            PreparedRequest p = TINY.parts().preparer.prepare(moderate(images.get(i)));
            // the questions differ in length, so the shared call pads
            assertThat(p.labelTokenIds().stream().mapToInt(ids -> ids.length).distinct().count()).isGreaterThan(1);
            double[] expected = fromScratch(p);
            InferenceResult alone = success(TINY.engine().runBatch(List.of(moderate(images.get(i)))).get(0));
            InferenceResult batched = success(together.get(i));
            for (InferenceResult r : List.of(alone, batched)) {
                assertThat(r.finishReason()).isEqualTo(InferenceResult.FinishReason.MODERATED);
                assertThat(r.scoring()).isEqualTo(InferenceResult.POLICY_YES_NO);
                assertThat(r.policyScores()).hasSize(POLICIES.size());
                boolean any = false;
                for (int q = 0; q < POLICIES.size(); q++) {
                    InferenceResult.PolicyScore s = r.policyScores().get(q);
                    assertThat(s.name()).isEqualTo(POLICIES.get(q).name());
                    assertThat(s.score()).as("%s %s", images.get(i), s.name()).isCloseTo(expected[q], within(1e-4));
                    assertThat(s.flagged()).isEqualTo(s.score() >= POLICIES.get(q).threshold());
                    any |= s.flagged();
                }
                assertThat(r.flagged()).isEqualTo(any);
            }
            System.out.println("policy scores " + images.get(i) + ": " + batched.policyScores());
        }
    }
}
