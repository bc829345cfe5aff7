package io.vlmstreams.inference.engine;

import io.vlmstreams.inference.io.Npy;
import io.vlmstreams.inference.engine.GenerationSettings;
import io.vlmstreams.inference.engine.ImageEncoder;
import io.vlmstreams.inference.generate.BatchGenerator;
import io.vlmstreams.inference.generate.ClassificationInput;
import io.vlmstreams.inference.generate.Classifier;
import io.vlmstreams.inference.generate.GenerationInput;
import io.vlmstreams.inference.generate.InputEmbedder;
import io.vlmstreams.inference.generate.LogitsProcessors;
import io.vlmstreams.inference.generate.SequenceInput;
import io.vlmstreams.inference.image.ImageDecoder;
import io.vlmstreams.inference.image.ImageLimits;
import io.vlmstreams.inference.image.ImageProcessor;
import io.vlmstreams.inference.image.ImageProcessorConfig;
import io.vlmstreams.inference.image.ProcessedImage;
import io.vlmstreams.inference.io.NpyArray;
import io.vlmstreams.inference.model.ModelFolder;
import io.vlmstreams.inference.onnx.DecoderSession;
import io.vlmstreams.inference.onnx.EmbedTokensSession;
import io.vlmstreams.inference.onnx.OrtRuntime;
import io.vlmstreams.inference.onnx.RuntimeConfig;
import io.vlmstreams.inference.onnx.VisionEncoderSession;
import io.vlmstreams.inference.text.TokenizerVocabulary;
import io.vlmstreams.devstack.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The engine's parts against upstream's tensors for the tiny model: image features (alone and
 * batched), greedy generation from upstream's own inputs, and label scores against upstream's
 * per-step logits (which checks the teacher-forced pass over several positions with a cache).
 */
class ModelPartsParityTest {

    @TempDir
    static Path temp;

    private static ModelFolder folder;
    private static OrtRuntime runtime;
    private static VisionEncoderSession vision;
    private static EmbedTokensSession embed;
    private static DecoderSession decoder;
    private static Map<String, NpyArray> reference;
    private static List<TinyModel.Reference> references;

    @BeforeAll
    static void open() throws Exception {
        folder = ModelFolder.open(TinyModel.onnxFolder(), "fp32");
        runtime = new OrtRuntime(RuntimeConfig.cpu());
        vision = new VisionEncoderSession(runtime, folder.visionEncoder(), null);
        embed = new EmbedTokensSession(runtime, folder.embedTokens());
        decoder = new DecoderSession(runtime, folder.decoder());
        reference = Npy.readNpz(Fixtures.tinyCheckpoint().resolve("reference_tensors.npz"));
        references = TinyModel.references();
    }

    @AfterAll
    static void close() {
        decoder.close();
        embed.close();
        vision.close();
    }

    @Test
    void imageFeaturesMatchUpstreamAndDoNotChangeWhenImagesShareAnEncoderCall() throws Exception {
        ImageDecoder decoderOfImages = new ImageDecoder(ImageLimits.defaults().withApplyExifOrientation(false));
        ImageProcessor processor = new ImageProcessor(ImageProcessorConfig.fromJson(folder.imageProcessorConfig()));
        List<ProcessedImage> images = new ArrayList<>();
        for (TinyModel.Reference ref : references) {
            images.add(processor.process(decoderOfImages.decode(TinyModel.imageBytes(ref.image()))));
        }
        ImageEncoder encoder = new ImageEncoder(vision, 64);
        List<float[]> together = encoder.encode(images);
        for (int i = 0; i < images.size(); i++) {
            float[] alone = encoder.encode(List.of(images.get(i))).get(0);
            float[] expected = reference.get(references.get(i).image() + "/image_features").asFloats();
            assertThat(alone).hasSameSizeAs(expected);
            assertThat(maxRelativeError(alone, expected)).as("features of %s", references.get(i).image()).isLessThan(1e-3);
            assertThat(maxRelativeError(together.get(i), alone)).as("batched features of %s", references.get(i).image())
                    .isLessThan(1e-5);
        }
    }

    @Test
    void greedyGenerationFromUpstreamInputsGivesUpstreamTokensInOneBatch() {
        List<GenerationInput> inputs = new ArrayList<>();
        for (TinyModel.Reference ref : references) {
            inputs.add(new GenerationInput(sequence(ref.image()), GenerationSettings.greedy(12), new long[0]));
        }
        BatchGenerator generator = new BatchGenerator(decoder, new InputEmbedder(embed, folder.config().imageTokenId()), 0,
                TokenizerVocabulary.read(folder.tokenizerJson()).size());
        BatchGenerator.Result result = generator.generate(inputs);
        for (int i = 0; i < references.size(); i++) {
            assertThat(result.outputs().get(i).tokenIds()).as(references.get(i).image()).containsExactly(references.get(i).tokenIds());
        }
        assertThat(result.timings().decodeSteps()).isEqualTo(11);
    }

    @Test
    void labelScoresAreMeanLogProbabilitiesOfUpstreamSteps() {
        Classifier classifier = new Classifier(decoder, new InputEmbedder(embed, folder.config().imageTokenId()), 0,
                TokenizerVocabulary.read(folder.tokenizerJson()).size());
        List<ClassificationInput> inputs = new ArrayList<>();
        List<double[]> expected = new ArrayList<>();
        for (TinyModel.Reference ref : references) {
            long[] g = ref.tokenIds();
            float[] logits = reference.get(ref.image() + "/step_logits").asFloats();
            List<long[]> labels = List.of(new long[]{g[0]}, new long[]{g[0], g[1]}, new long[]{g[0], g[1], g[2]}, new long[]{42});
            double[] want = new double[labels.size()];
            for (int l = 0; l < labels.size(); l++) {
                long[] label = labels.get(l);
                double sum = 0;
                for (int j = 0; j < label.length; j++) {
                    float[] step = java.util.Arrays.copyOfRange(logits, j * 400, (j + 1) * 400);
                    sum += LogitsProcessors.logProb(step, (int) label[j]);
                }
                want[l] = sum / label.length;
            }
            inputs.add(new ClassificationInput(sequence(ref.image()), labels));
            expected.add(want);
        }
        Classifier.Result result = classifier.score(inputs);
        for (int i = 0; i < inputs.size(); i++) {
            for (int l = 0; l < expected.get(i).length; l++) {
                assertThat(result.scores().get(i)[l]).as("%s label %d", references.get(i).image(), l)
                        .isCloseTo(expected.get(i)[l], within(1e-3));
            }
        }
    }

    private static SequenceInput sequence(String image) {
        return TinyModel.upstreamSequence(reference, image);
    }

    private static double maxRelativeError(float[] actual, float[] expected) {
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / Math.max(1.0, Math.abs(expected[i])));
        }
        return worst;
    }
}
