package io.vlmstreams.inference.generate;

import io.vlmstreams.inference.engine.GenerationSettings;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SamplerTest {

    private static GenerationSettings sampling(double temperature, int topK, double topP, double minP, double penalty, long seed) {
        return new GenerationSettings(16, temperature, topK, topP, minP, penalty, seed);
    }

    @Test
    void greedyTakesTheFirstMaximum() {
        Sampler s = new Sampler(GenerationSettings.greedy(4), new long[0], 4);
        assertThat(s.next(new float[]{1f, 3f, 3f, -2f})).isEqualTo(1);
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeScoresOfSeenTokens() {
        float[] scores = {2f, -2f, 2f, -2f};
        BitSet seen = new BitSet();
        seen.set(0);
        seen.set(1);
        LogitsProcessors.repetitionPenalty(scores, seen, 2.0);
        assertThat(scores).containsExactly(1f, -4f, 2f, -2f);
    }

    @Test
    void greedyAppliesTheRepetitionPenaltyToPromptAndGeneratedTokens() {
        GenerationSettings greedyPenalized = new GenerationSettings(4, 0.0, 0, 1.0, 0.0, 2.0, 0);
        Sampler s = new Sampler(greedyPenalized, new long[]{0}, 3);
        // token 0 (in the prompt) drops from 3 to 1.5, below token 1
        assertThat(s.next(new float[]{3f, 2f, 1f})).isEqualTo(1);
        // token 1 is now seen too: 2 -> 1, token 0 1.5 wins
        assertThat(s.next(new float[]{3f, 2f, 1f})).isEqualTo(0);
    }

    @Test
    void topKKeepsTiesWithTheKthScore() {
        float[] scores = {5f, 1f, 3f, 3f, 0f};
        LogitsProcessors.topK(scores, 2);
        assertThat(scores).containsExactly(5f, Float.NEGATIVE_INFINITY, 3f, 3f, Float.NEGATIVE_INFINITY);
    }

    @Test
    void topPDropsTheLeastLikelyTailAndKeepsTheBest() {
        // probabilities 0.5, 0.25, 0.125, 0.125
        float[] scores = {(float) Math.log(4), (float) Math.log(2), 0f, 0f};
        LogitsProcessors.topP(scores, 0.7);
        assertThat(scores[0]).isFinite();
        assertThat(scores[1]).isFinite();
        assertThat(scores[2]).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(scores[3]).isEqualTo(Float.NEGATIVE_INFINITY);

        float[] sharp = {10f, 0f, 0f};
        LogitsProcessors.topP(sharp, 0.01);
        assertThat(sharp[0]).isFinite();
        assertThat(sharp[1]).isEqualTo(Float.NEGATIVE_INFINITY);
    }

    @Test
    void minPDropsTokensBelowAFractionOfTheTopProbability() {
        // probabilities proportional to 8, 4, 1
        float[] scores = {(float) Math.log(8), (float) Math.log(4), 0f};
        LogitsProcessors.minP(scores, 0.25);
        assertThat(scores[0]).isFinite();
        assertThat(scores[1]).isFinite();
        assertThat(scores[2]).isEqualTo(Float.NEGATIVE_INFINITY);
    }

    @Test
    void temperatureDividesScores() {
        float[] scores = {1f, -2f};
        LogitsProcessors.temperature(scores, 0.5);
        assertThat(scores).containsExactly(2f, -4f);
    }

    @Test
    void samplingIsReproducibleForASeedAndDiffersAcrossSeeds() {
        float[] flat = new float[50];
        List<Integer> a = draw(sampling(1.0, 0, 1.0, 0.0, 1.0, 7), flat, 40);
        List<Integer> b = draw(sampling(1.0, 0, 1.0, 0.0, 1.0, 7), flat, 40);
        List<Integer> c = draw(sampling(1.0, 0, 1.0, 0.0, 1.0, 8), flat, 40);
        assertThat(a).isEqualTo(b);
        assertThat(a).isNotEqualTo(c);
    }

    @Test
    void samplingFollowsTheDistribution() {
        float[] scores = {(float) Math.log(3), 0f};
        List<Integer> picks = draw(sampling(1.0, 0, 1.0, 0.0, 1.0, 42), scores, 4000);
        double share = picks.stream().filter(t -> t == 0).count() / 4000.0;
        assertThat(share).isCloseTo(0.75, within(0.03));
    }

    @Test
    void samplingNeverPicksAFilteredToken() {
        float[] scores = {3f, 2.9f, -5f, -6f};
        List<Integer> picks = draw(sampling(1.0, 2, 1.0, 0.0, 1.0, 1), scores, 500);
        assertThat(picks).allMatch(t -> t == 0 || t == 1);
        List<Integer> minP = draw(sampling(0.1, 0, 1.0, 0.15, 1.0, 1), scores, 200);
        // at temperature 0.1 token 1 has exp(-1) = 0.37 of token 0's probability: kept; the rest are not
        assertThat(minP).allMatch(t -> t == 0 || t == 1).contains(0, 1);
    }

    @Test
    void idsPastTheVocabularyAreNeverChosenHoweverHighTheirLogits() {
        // 8 logits, a tokenizer of 5 ids: the graph's best ids (6, then 5) do not exist
        float[] logits = {0f, 1f, 2f, 0.5f, 1.5f, 9f, 20f, -1f};
        assertThat(new Sampler(GenerationSettings.greedy(4), new long[0], 5).next(logits)).isEqualTo(2);
        assertThat(new Sampler(GenerationSettings.greedy(4), new long[0], logits.length).next(logits)).isEqualTo(6);
        // sampling: without the bound ids 5 and 6 would take all but e^-9 of the mass
        List<Integer> picks = new ArrayList<>();
        Sampler bounded = new Sampler(sampling(1.0, 0, 1.0, 0.0, 1.0, 5), new long[0], 5);
        for (int i = 0; i < 2000; i++) {
            picks.add(bounded.next(logits));
        }
        assertThat(picks).allMatch(t -> t < 5).contains(0, 1, 2, 3, 4);
        // a vocabulary wider than the logits is harmless
        assertThat(new Sampler(GenerationSettings.greedy(4), new long[]{7000}, 65_536).next(logits)).isEqualTo(6);
    }

    @Test
    void chooseChangesNothingAndAcceptMovesOn() {
        float[] scores = {0.3f, 0.1f, 0.2f, 0.25f};
        GenerationSettings settings = sampling(1.0, 0, 1.0, 0.0, 1.3, 11);
        Sampler s = new Sampler(settings, new long[0], scores.length);
        Sampler reference = new Sampler(settings, new long[0], scores.length);
        for (int i = 0; i < 50; i++) {
            int chosen = s.choose(scores);
            // a step that failed before applying its tokens chooses again: the same token
            assertThat(s.choose(scores)).isEqualTo(chosen);
            assertThat(reference.next(scores)).as("draw %d", i).isEqualTo(chosen);
            s.accept(chosen);
        }
        assertThatThrownBy(() -> s.accept(scores.length)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void logProbOverTheVocabularyLeavesWiderLogitsOut() {
        float[] scores = {0f, (float) Math.log(3), 50f};
        assertThat(LogitsProcessors.logProb(scores, 2, 1)).isCloseTo(Math.log(0.75), within(1e-6));
        assertThatThrownBy(() -> LogitsProcessors.logProb(scores, 2, 2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void logProbIsLogSoftmax() {
        float[] scores = {0f, (float) Math.log(3)};
        assertThat(LogitsProcessors.logProb(scores, 1)).isCloseTo(Math.log(0.75), within(1e-6));
    }

    private static List<Integer> draw(GenerationSettings settings, float[] scores, int n) {
        List<Integer> out = new ArrayList<>();
        // a fresh sampler per draw would repeat the first draw; one sampler walks its own stream
        Sampler s = new Sampler(settings, new long[0], scores.length);
        for (int i = 0; i < n; i++) {
            out.add(s.next(scores));
        }
        return out;
    }
}
