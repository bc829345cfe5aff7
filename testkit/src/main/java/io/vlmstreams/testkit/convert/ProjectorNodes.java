package io.vlmstreams.testkit.convert;

import ai.onnx.proto.OnnxMl;
import io.vlmstreams.inference.model.Lfm2VlConfig;

import java.util.List;

import static io.vlmstreams.testkit.convert.VisionGraphBuilder.attr;

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

    private static final long INT64 = OnnxMl.TensorProto.DataType.INT64.getNumber();

    private final VisionGraphBuilder g;
    private final SafetensorsReader weights;
    private final Lfm2VlConfig cfg;
    private final String prefix;

    ProjectorNodes(VisionGraphBuilder g, SafetensorsReader weights, Lfm2VlConfig cfg, String prefix) {
        this.g = g;
        this.weights = weights;
        this.cfg = cfg;
        this.prefix = prefix;
    }

    /** Emits the projector over {@code hidden} [batch, patches, vision_hidden]; returns [image_tokens, text_hidden]. */
    String emit(String hidden, String spatialShapes, String outputName) {
        int f = cfg.downsampleFactor();
        int c = cfg.vision().hiddenSize();
        String numPatches = g.op("Gather", g.op("Shape", hidden), g.scalar(1L));

        String h = g.op("Gather", List.of(spatialShapes, g.scalar(0L)), attr("axis", 1L));
        String w = g.op("Gather", List.of(spatialShapes, g.scalar(1L)), attr("axis", 1L));
        String fConst = g.scalar((long) f);
        String outCols = g.op("Div", w, fConst);
        String counts = g.op("Mul", g.op("Div", h, fConst), outCols);
        String ends = g.op("CumSum", counts, g.scalar(0L));
        String starts = g.op("Sub", ends, counts);
        String total = g.op("ReduceSum", List.of(counts), attr("keepdims", 0L));

        // Output row r belongs to the tile whose [start, end) holds r: the count of ends <= r.
        String r = g.op("Range", g.scalar(0L), total, g.scalar(1L));
        String passed = g.op("GreaterOrEqual", g.op("Unsqueeze", r, g.vector(1)), g.op("Unsqueeze", ends, g.vector(0)));
        String tile = g.op("ReduceSum", List.of(g.op("Cast", List.of(passed), attr("to", INT64)), g.vector(1)),
                attr("keepdims", 0L));
        String local = g.op("Sub", r, g.op("Gather", starts, tile));
        String tileCols = g.op("Gather", outCols, tile);
        String tileW = g.op("Gather", w, tile);
        String i = g.op("Div", local, tileCols);
        String j = g.op("Mod", local, tileCols);
        // First source row of the f x f block: tile*patches + (f*i)*w + f*j.
        String base = g.op("Add", g.op("Mul", tile, numPatches),
                g.op("Mul", fConst, g.op("Add", g.op("Mul", i, tileW), j)));
        long[] dy = new long[f * f];
        long[] dx = new long[f * f];
        for (int k = 0; k < f * f; k++) {
            dy[k] = k / f;
            dx[k] = k % f;
        }
        String offsets = g.op("Add", g.op("Mul", g.op("Unsqueeze", tileW, g.vector(1)), g.vector(dy)), g.vector(dx));
        String rows = g.op("Add", g.op("Unsqueeze", base, g.vector(1)), offsets);

        String flat = g.op("Reshape", hidden, g.vector(-1, c));
        String gathered = g.op("Gather", List.of(flat, rows), attr("axis", 0L));
        String x = g.op("Reshape", gathered, g.vector(-1, (long) f * f * c));

        if (cfg.projectorUseLayernorm()) {
            // nn.LayerNorm's default epsilon: the projector does not pass one.
            x = VisionLayers.layerNorm(g, weights, prefix + "layer_norm", 1e-5, x);
        }
        x = VisionLayers.linear(g, weights, prefix + "linear_1", x);
        x = VisionLayers.activation(g, cfg.projectorHiddenAct(), x);
        x = VisionLayers.linear(g, weights, prefix + "linear_2", x);
        return g.opTo(outputName, "Identity", List.of(x));
    }
}
