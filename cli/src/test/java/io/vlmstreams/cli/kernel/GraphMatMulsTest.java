package io.vlmstreams.cli.kernel;

import io.vlmstreams.inference.engine.TinyModel;
import io.vlmstreams.inference.model.Lfm2VlConfig;
import io.vlmstreams.inference.model.ModelFolder;
import io.vlmstreams.inference.model.OnnxGraph;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The weight MatMuls read from the tiny model's graphs add up to what its config.json's dims give by hand. */
class GraphMatMulsTest {

    private final ModelFolder folder = ModelFolder.open(TinyModel.onnxFolder(), "fp32");
    private final Lfm2VlConfig config = folder.config();

    @Test
    void decoderFlopsPerTokenAreTheSumOfItsProjectionsAndTheHead() {
        Lfm2VlConfig.TextConfig t = config.text();
        long h = t.hiddenSize();
        long kv = (long) t.numKeyValueHeads() * t.headDim();
        long f = t.ffnDim();
        long body = 0;
        for (int i = 0; i < t.numHiddenLayers(); i++) {
            body += t.isAttention(i) ? h * h + 2 * h * kv + h * h : h * 3 * h + h * h;
            body += 2 * h * f + f * h;
        }
        List<WeightShape> shapes = GraphMatMuls.decoder(folder.graphInfo().get(OnnxGraph.DECODER), t.vocabSize());

        assertThat(sum(shapes, WeightShape.Rows.ITEM)).isEqualTo(2 * body);
        assertThat(sum(shapes, WeightShape.Rows.HEAD)).isEqualTo(2 * h * t.vocabSize());
        assertThat(shapes).allSatisfy(s -> assertThat(s.kernel()).isEqualTo(Kernel.fp32()));
    }

    @Test
    void visionFlopsSplitIntoPerPatchEncoderAndPerImageTokenProjector() {
        Lfm2VlConfig.VisionConfig v = config.vision();
        long h = v.hiddenSize();
        long perPatch = (long) v.numChannels() * v.patchSize() * v.patchSize() * h // patch embedding
                + (long) v.numPatches() * h // position embedding, resampled per call as a MatMul
                + v.numHiddenLayers() * (4 * h * h + 2 * h * v.intermediateSize());
        long f2 = (long) config.downsampleFactor() * config.downsampleFactor();
        long perToken = h * f2 * config.projectorHiddenSize() + (long) config.projectorHiddenSize() * config.text().hiddenSize();
        List<WeightShape> shapes = GraphMatMuls.vision(folder.graphInfo().get(OnnxGraph.VISION_ENCODER), false);

        assertThat(sum(shapes, WeightShape.Rows.ITEM)).isEqualTo(2 * perPatch);
        assertThat(sum(shapes, WeightShape.Rows.IMAGE_TOKEN)).isEqualTo(2 * perToken);
    }

    private static long sum(List<WeightShape> shapes, WeightShape.Rows rows) {
        return shapes.stream().filter(s -> s.rows() == rows).mapToLong(WeightShape::flopsPerRow).sum();
    }
}
