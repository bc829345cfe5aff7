package io.vlmstreams.inference.engine;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code engine.image.cache.bytes}: a repost of the same image under the same settings is a cache
 * hit (no decoding, preprocessing or vision encoder) and gets the identical answer; other settings
 * miss; the cache stays within its bytes.
 */
class ImageFeatureCacheTest {

    private static LocalInferenceEngine engine;

    @BeforeAll
    static void open() {
        engine = LocalInferenceEngine.open(EngineConfig.defaults(TinyModel.onnxFolder()).withImageCacheBytes(64L << 20));
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    private static InferenceResult run(InferenceRequest r) {
        Outcome o = engine.runBatch(List.of(r)).get(0);
        assertThat(o).as("%s", o).isInstanceOf(Outcome.Success.class);
        return ((Outcome.Success) o).result();
    }

    @Test
    void aRepostHitsTheCacheAndGetsTheSameAnswer() {
        byte[] storm = TinyModel.imageBytes("Storm.jpg");
        long hits = engine.imageCacheHits();
        InferenceResult first = run(InferenceRequest.generate("a", storm, "Describe this image.", GenerationSettings.greedy(12)));
        assertThat(engine.imageCacheHits()).isEqualTo(hits);
        // a new array of the same bytes: the key is the content, not the object
        InferenceResult again = run(InferenceRequest.generate("b", storm.clone(), "Describe this image.", GenerationSettings.greedy(12)));
        assertThat(engine.imageCacheHits()).isEqualTo(hits + 1);
        assertThat(again.tokenIds()).containsExactly(first.tokenIds());
        assertThat(again.text()).isEqualTo(first.text());
        assertThat(again.promptTokenIds()).containsExactly(first.promptTokenIds());

        // moderation and classification of the same image reuse it too
        InferenceResult policies = run(InferenceRequest.moderate("c", storm, "", PolicyScoresTest.POLICIES, null));
        assertThat(engine.imageCacheHits()).isEqualTo(hits + 2);
        assertThat(policies.policyScores()).hasSize(PolicyScoresTest.POLICIES.size());

        // other preprocessing settings are another key
        run(new InferenceRequest("d", storm, "Describe this image.", InferenceRequest.Mode.GENERATE, List.of(),
                GenerationSettings.greedy(4), new ImageOptions(null, 64, null)));
        assertThat(engine.imageCacheHits()).isEqualTo(hits + 2);
        assertThat(engine.imageCache().bytes()).isPositive().isLessThanOrEqualTo(64L << 20);
    }

    @Test
    void theCacheKeepsWithinItsBytes() {
        ImageFeatureCache cache = new ImageFeatureCache(10_000, "m");
        io.vlmstreams.inference.image.ProcessedImage img = new io.vlmstreams.inference.image.ProcessedImage(1, 4,
                new float[4 * 3], new long[4], new long[] {2, 2}, null);
        for (int i = 0; i < 10; i++) {
            cache.put(cache.key(new byte[] {(byte) i}, ImageOptions.DEFAULTS), img, new float[1000]);
        }
        assertThat(cache.bytes()).isLessThanOrEqualTo(10_000);
        assertThat(cache.size()).isEqualTo(2);
        // the newest stay
        assertThat(cache.get(cache.key(new byte[] {9}, ImageOptions.DEFAULTS))).isNotNull();
        assertThat(cache.get(cache.key(new byte[] {0}, ImageOptions.DEFAULTS))).isNull();
        assertThat(new ImageFeatureCache(0, "m").key(new byte[] {1}, ImageOptions.DEFAULTS)).isNull();
    }
}
