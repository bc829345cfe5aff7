package io.vlmstreams.inference.engine;

import io.vlmstreams.inference.generate.ClassificationInput;
import io.vlmstreams.inference.generate.Classifier;
import io.vlmstreams.inference.generate.InputEmbedder;
import io.vlmstreams.inference.generate.SequenceInput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * CLASSIFY picks its method: labels whose first tokens differ are scored by that token (one row, one
 * step), equal to the teacher-forced score of the first tokens alone; labels sharing a first token
 * keep the mean log-probability; the answer says which ran.
 */
class ClassifyScoringTest {

    @RegisterExtension
    static final TinyEngineAndParts TINY = new TinyEngineAndParts();

    private static InferenceResult classify(List<String> labels) {
        Outcome o = TINY.engine().runBatch(List.of(InferenceRequest.classify("c", TinyModel.imageBytes("coins.png"), "What is this?",
                labels, GenerationSettings.greedy(1)))).get(0);
        assertThat(o).as("%s", o).isInstanceOf(Outcome.Success.class);
        return ((Outcome.Success) o).result();
    }

    @Test
    void distinctFirstTokensAreScoredByTheFirstTokenAlone() {
        ModelParts parts = TINY.parts();
        List<String> labels = List.of("coins", "a storm", "text on paper");
        PreparedRequest p = parts.preparer.prepare(InferenceRequest.classify("c", TinyModel.imageBytes("coins.png"),
                "What is this?", labels, GenerationSettings.greedy(1)));
        assertThat(Classifier.firstTokensDiffer(p.labelTokenIds())).isTrue();
        InferenceResult r = classify(labels);
        assertThat(r.scoring()).isEqualTo(InferenceResult.FIRST_TOKEN);

        // the reference: mean log-probability (teacher forcing) of one-token labels made of the first tokens
        float[] features = new ImageEncoder(parts.sessions.vision, 64).encode(List.of(p.image())).get(0);
        Classifier classifier = new Classifier(parts.sessions.decoder,
                new InputEmbedder(parts.sessions.embed, parts.folder.config().imageTokenId()), 0, parts.tokenizer.vocabSize());
        List<long[]> firsts = new ArrayList<>();
        p.labelTokenIds().forEach(ids -> firsts.add(new long[] {ids[0]}));
        double[] expected = classifier.score(List.of(new ClassificationInput(new SequenceInput(p.promptIds(), features), firsts)))
                .scores().get(0);
        for (int l = 0; l < labels.size(); l++) {
            assertThat(r.labelScores().get(l).score()).isCloseTo(expected[l], within(1e-4));
        }
    }

    @Test
    void labelsSharingAFirstTokenKeepTheMeanLogProbability() {
        InferenceResult r = classify(List.of("a storm", "a garden", "coins"));
        assertThat(r.scoring()).isEqualTo(InferenceResult.MEAN_LOGPROB);
        assertThat(r.labelScores()).hasSize(3);
    }
}
