package io.vlmstreams.inference.generate;

import io.vlmstreams.inference.engine.TinyModel;
import io.vlmstreams.inference.io.Npy;
import io.vlmstreams.inference.engine.GenerationSettings;
import io.vlmstreams.inference.generate.BatchGenerator;
import io.vlmstreams.inference.generate.ContinuousBatch;
import io.vlmstreams.inference.generate.GenerationInput;
import io.vlmstreams.inference.generate.InputEmbedder;
import io.vlmstreams.inference.generate.SequenceInput;
import io.vlmstreams.inference.io.NpyArray;
import io.vlmstreams.inference.model.ModelFolder;
import io.vlmstreams.inference.onnx.DecoderSession;
import io.vlmstreams.inference.onnx.EmbedTokensSession;
import io.vlmstreams.inference.onnx.OrtRuntime;
import io.vlmstreams.inference.onnx.RuntimeConfig;
import io.vlmstreams.devstack.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Continuous batching on the tiny model: sequences that join a running batch between decode steps
 * (with prompts of different lengths, so caches are merged with left padding) and leave at
 * different steps get exactly the tokens each gets alone, and upstream's where upstream has them.
 */
class ContinuousBatchTest {

    @TempDir
    static Path temp;

    private static ModelFolder folder;
    private static EmbedTokensSession embed;
    private static DecoderSession decoder;
    private static Map<String, NpyArray> reference;
    private static List<TinyModel.Reference> references;

    @BeforeAll
    static void open() throws Exception {
        folder = ModelFolder.open(TinyModel.onnxFolder(), "fp32");
        OrtRuntime runtime = new OrtRuntime(RuntimeConfig.cpu());
        embed = new EmbedTokensSession(runtime, folder.embedTokens());
        decoder = new DecoderSession(runtime, folder.decoder());
        reference = Npy.readNpz(Fixtures.tinyCheckpoint().resolve("reference_tensors.npz"));
        references = TinyModel.references();
    }

    @AfterAll
    static void close() {
        decoder.close();
        embed.close();
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
        BatchGenerator solo = new BatchGenerator(decoder, embedder, 0);
        List<long[]> alone = new ArrayList<>();
        for (GenerationInput in : inputs) {
            alone.add(solo.generate(List.of(in)).outputs().get(0).tokenIds());
        }

        Map<Integer, long[]> got = new HashMap<>();
        try (ContinuousBatch<Integer> batch = new ContinuousBatch<>(decoder, embedder, 0)) {
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
        BatchGenerator.Result grouped = new BatchGenerator(decoder, embedder, 0, 1.0).generate(inputs);
        BatchGenerator.Result padded = new BatchGenerator(decoder, embedder, 0, Double.POSITIVE_INFINITY).generate(inputs);
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

    private static void collect(Map<Integer, long[]> got, List<ContinuousBatch.Finished<Integer>> finished) {
        for (ContinuousBatch.Finished<Integer> f : finished) {
            assertThat(got.put(f.key(), f.output().tokenIds())).as("finished twice: %d", f.key()).isNull();
        }
    }

    private static SequenceInput sequence(String image) {
        return TinyModel.upstreamSequence(reference, image);
    }
}
