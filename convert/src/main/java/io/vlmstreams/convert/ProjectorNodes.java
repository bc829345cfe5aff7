package io.vlmstreams.convert;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import io.vlmstreams.inference.model.Lfm2VlConfig;

import java.util.List;
import java.util.Map;

/**
 * The LFM2-VL multimodal projector as ONNX nodes, mirroring upstream
 * {@code Lfm2VlModel.get_image_features} + {@code Lfm2VlMultiModalProjector} (transformers 5.17):
 * per tile, its first h*w hidden rows read as an (h, w) grid, pixel-unshuffled by factor f
 * (output cell (i, j) concatenates the cells (f*i + dy, f*j + dx) in (dy, dx) row-major order),
 * optional LayerNorm, linear_1, activation, linear_2; tiles concatenated in order.
 *
 * <p>The variable-length concatenation over tiles is one Gather with computed row indices, so
 * any mix of tile shapes runs in one call and each output row depends only on its own tile.
 */
final class ProjectorNodes {

    private final OnnxGraphBuilder g;
    private final SafetensorsReader weights;
    private final Lfm2VlConfig cfg;
    private final String prefix;

    ProjectorNodes(OnnxGraphBuilder g, SafetensorsReader weights, Lfm2VlConfig cfg, String prefix) {
        this.g = g;
        this.weights = weights;
        this.cfg = cfg;
        this.prefix = prefix;
    }

    /** Emits the projector over {@code hidden} [batch, patches, vision_hidden]; returns [image_tokens, text_hidden]. */
    String emit(String hidden, String spatialShapes) {
        int f = cfg.downsampleFactor();
        int c = cfg.vision().hiddenSize();
        g.scope("projector/unshuffle");
        String numPatches = g.gather(g.shape(hidden), g.scalarInt(1), 0);
        String h = g.gather(spatialShapes, g.scalarInt(0), 1);
        String w = g.gather(spatialShapes, g.scalarInt(1), 1);
        String factor = g.scalarInt(f);
        String outCols = g.div(w, factor);
        String counts = g.mul(g.div(h, factor), outCols);
        String ends = g.op("CumSum", counts, g.scalarInt(0));
        String starts = g.sub(ends, counts);
        String total = g.op("ReduceSum", List.of(counts), Map.of("keepdims", 0L));

        // Output row r belongs to the tile whose [start, end) holds r: the count of ends <= r.
        String r = g.range(g.scalarInt(0), total, g.scalarInt(1));
        String passed = g.op("GreaterOrEqual", g.unsqueeze(r, 1), g.unsqueeze(ends, 0));
        String tile = g.op("ReduceSum", List.of(g.cast(passed, DataType.INT64), g.constInts(1)), Map.of("keepdims", 0L));
        String local = g.sub(r, g.gather(starts, tile, 0));
        String tileCols = g.gather(outCols, tile, 0);
        String tileW = g.gather(w, tile, 0);
        String i = g.div(local, tileCols);
        String j = g.op("Mod", local, tileCols);
        // First source row of the f x f block: tile*patches + f*(i*w + j).
        String base = g.add(g.mul(tile, numPatches), g.mul(factor, g.add(g.mul(i, tileW), j)));
        long[] dy = new long[f * f];
        long[] dx = new long[f * f];
        for (int k = 0; k < f * f; k++) {
            dy[k] = k / f;
            dx[k] = k % f;
        }
        String offsets = g.add(g.mul(g.unsqueeze(tileW, 1), g.constInts(dy)), g.constInts(dx));
        String rows = g.add(g.unsqueeze(base, 1), offsets);
        String gathered = g.gather(g.reshape(hidden, -1, c), rows, 0);
        String x = g.reshape(gathered, -1, (long) f * f * c);

        g.scope("projector/mlp");
        if (cfg.projectorUseLayernorm()) {
            // nn.LayerNorm's default epsilon: the projector does not pass one.
            x = VisionLayers.layerNorm(g, weights, prefix + "layer_norm", 1e-5, x);
        }
        x = VisionLayers.linear(g, weights, prefix + "linear_1", x);
        x = VisionLayers.activation(g, cfg.projectorHiddenAct(), x);
        return VisionLayers.linear(g, weights, prefix + "linear_2", x);
    }
}
