package io.vlmstreams.testkit.convert;

import ai.onnx.proto.OnnxMl;
import io.vlmstreams.inference.model.Lfm2VlConfig;

import java.util.List;

import static io.vlmstreams.testkit.convert.VisionGraphBuilder.attr;

/**
 * The SigLIP2 NaFlex vision tower as ONNX nodes, mirroring upstream {@code Siglip2VisionTransformer}
 * (transformers 5.17): linear patch embedding, learned position grid resized per tile, pre-norm
 * encoder layers with key-padding mask, post layer norm. Its result is upstream's
 * {@code last_hidden_state}, which is what LFM2-VL projects (all layers, no pooling head).
 *
 * <p>Every tile is computed independently of the others in the batch: the position embeddings come
 * from per-patch interpolation weights (no per-tile control flow) and attention only sees the keys
 * of the tile's own real patches, so batching never changes a tile's result.
 */
final class SiglipEncoderNodes {

    private static final long FLOAT = OnnxMl.TensorProto.DataType.FLOAT.getNumber();

    private final VisionGraphBuilder g;
    private final SafetensorsReader weights;
    private final Lfm2VlConfig.VisionConfig cfg;
    private final String prefix;

    SiglipEncoderNodes(VisionGraphBuilder g, SafetensorsReader weights, Lfm2VlConfig.VisionConfig cfg, String prefix) {
        this.g = g;
        this.weights = weights;
        this.cfg = cfg;
        this.prefix = prefix;
    }

    /** Emits the tower and returns the name of the post-layernorm hidden states [batch, patches, hidden]. */
    String emit(String pixelValues, String pixelAttentionMask, String spatialShapes, String outputName) {
        int patchDim = cfg.numChannels() * cfg.patchSize() * cfg.patchSize();
        long[] pe = weights.info(prefix + "embeddings.patch_embedding.weight").shape();
        if (pe.length != 2 || pe[0] != cfg.hiddenSize() || pe[1] != patchDim) {
            throw new IllegalArgumentException("patch_embedding.weight has shape " + java.util.Arrays.toString(pe)
                    + ", expected a NaFlex linear [" + cfg.hiddenSize() + ", " + patchDim + "]");
        }
        String patches = VisionLayers.linear(g, weights, prefix + "embeddings.patch_embedding", pixelValues);
        String x = g.op("Add", patches, positionEmbeddings(pixelValues, spatialShapes));

        // Upstream's _prepare_4d_attention_mask: padding keys get the most negative float.
        String isPad = g.op("Equal", pixelAttentionMask, g.scalar(0L));
        String bias = g.op("Where", isPad, g.scalar(-Float.MAX_VALUE), g.scalar(0.0f));
        String keyBias = g.op("Unsqueeze", bias, g.vector(1, 2));

        for (int i = 0; i < cfg.numHiddenLayers(); i++) {
            x = layer(prefix + "encoder.layers." + i + ".", x, keyBias);
        }
        String out = VisionLayers.layerNorm(g, weights, prefix + "post_layernorm", cfg.layerNormEps(), x);
        return g.opTo(outputName, "Identity", List.of(out));
    }

    /**
     * Upstream resizes the (side x side) learned grid to each tile's (h, w) with
     * F.interpolate(bilinear, align_corners=False, antialias=True) and fills padding rows with the
     * first resized embedding. Here each patch (y, x) gets its separable triangle-filter weights over
     * the grid rows and columns (support widened by the scale when shrinking, normalised to sum 1,
     * exactly as torch's antialiased kernel computes them), and their outer product times the grid
     * gives its embedding. Padding patches take (0, 0).
     */
    private String positionEmbeddings(String pixelValues, String spatialShapes) {
        int side = cfg.positionGridSide();
        if (side * side != cfg.numPatches()) {
            throw new IllegalArgumentException("vision num_patches " + cfg.numPatches() + " is not a square");
        }
        String numPatches = g.op("Gather", g.op("Shape", pixelValues), g.scalar(1L));
        String p = g.op("Range", g.scalar(0L), numPatches, g.scalar(1L));
        String h = g.op("Unsqueeze", g.op("Gather", List.of(spatialShapes, g.scalar(0L)), attr("axis", 1L)), g.vector(1));
        String w = g.op("Unsqueeze", g.op("Gather", List.of(spatialShapes, g.scalar(1L)), attr("axis", 1L)), g.vector(1));
        String valid = g.op("Less", p, g.op("Mul", h, w));
        String zero = g.scalar(0L);
        String row = g.op("Where", valid, g.op("Div", p, w), zero);
        String col = g.op("Where", valid, g.op("Mod", p, w), zero);

        String wy = axisWeights(row, h, side);
        String wx = axisWeights(col, w, side);
        String outer = g.op("Mul", g.op("Unsqueeze", wy, g.vector(3)), g.op("Unsqueeze", wx, g.vector(2)));
        String flat = g.op("Reshape", outer, g.vector(0, 0, (long) side * side));
        SafetensorsReader.Tensor grid = weights.read(prefix + "embeddings.position_embedding.weight",
                cfg.numPatches(), cfg.hiddenSize());
        return g.op("MatMul", flat, g.floats(grid.name(), grid.data(), cfg.numPatches(), cfg.hiddenSize()));
    }

    /**
     * Antialiased bilinear weights [batch, patches, side] of output index {@code idx} [batch, patches]
     * when resizing {@code side} grid cells to {@code size} [batch, 1] cells: scale = side/size,
     * center = (idx + 0.5) * scale, weight of cell i = max(0, 1 - |(i + 0.5 - center) / max(scale, 1)|),
     * normalised over i.
     */
    private String axisWeights(String idx, String size, int side) {
        String scale = g.op("Div", g.scalar((float) side), g.op("Cast", List.of(size), attr("to", FLOAT)));
        String inv = g.op("Where", g.op("GreaterOrEqual", scale, g.scalar(1.0f)), g.op("Reciprocal", scale), g.scalar(1.0f));
        String center = g.op("Mul", g.op("Add", g.op("Cast", List.of(idx), attr("to", FLOAT)), g.scalar(0.5f)), scale);
        float[] cells = new float[side];
        for (int i = 0; i < side; i++) {
            cells[i] = i + 0.5f;
        }
        String cellCenters = g.vector(cells);
        String dist = g.op("Sub", cellCenters, g.op("Unsqueeze", center, g.vector(2)));
        String arg = g.op("Mul", dist, g.op("Unsqueeze", inv, g.vector(2)));
        String tri = g.op("Relu", g.op("Sub", g.scalar(1.0f), g.op("Abs", arg)));
        String total = g.op("ReduceSum", List.of(tri, g.vector(2)), attr("keepdims", 1L));
        return g.op("Div", tri, total);
    }

    private String layer(String p, String x, String keyBias) {
        String h = VisionLayers.layerNorm(g, weights, p + "layer_norm1", cfg.layerNormEps(), x);
        x = g.op("Add", x, attention(p + "self_attn.", h, keyBias));
        h = VisionLayers.layerNorm(g, weights, p + "layer_norm2", cfg.layerNormEps(), x);
        h = VisionLayers.linear(g, weights, p + "mlp.fc1", h);
        h = VisionLayers.activation(g, cfg.hiddenAct(), h);
        h = VisionLayers.linear(g, weights, p + "mlp.fc2", h);
        return g.op("Add", x, h);
    }

    private String attention(String p, String x, String keyBias) {
        int heads = cfg.numAttentionHeads();
        int headDim = cfg.hiddenSize() / heads;
        if (headDim * heads != cfg.hiddenSize()) {
            throw new IllegalArgumentException("vision hidden_size " + cfg.hiddenSize() + " is not divisible by "
                    + heads + " heads");
        }
        String split = g.vector(0, 0, heads, headDim);
        String q = g.op("Transpose", List.of(g.op("Reshape", VisionLayers.linear(g, weights, p + "q_proj", x), split)),
                attr("perm", new long[] {0, 2, 1, 3}));
        String kT = g.op("Transpose", List.of(g.op("Reshape", VisionLayers.linear(g, weights, p + "k_proj", x), split)),
                attr("perm", new long[] {0, 2, 3, 1}));
        String v = g.op("Transpose", List.of(g.op("Reshape", VisionLayers.linear(g, weights, p + "v_proj", x), split)),
                attr("perm", new long[] {0, 2, 1, 3}));
        String scores = g.op("Mul", g.op("MatMul", q, kT), g.scalar((float) Math.pow(headDim, -0.5)));
        String probs = g.op("Softmax", List.of(g.op("Add", scores, keyBias)), attr("axis", -1L));
        String ctx = g.op("Transpose", List.of(g.op("MatMul", probs, v)), attr("perm", new long[] {0, 2, 1, 3}));
        String merged = g.op("Reshape", ctx, g.vector(0, 0, cfg.hiddenSize()));
        return VisionLayers.linear(g, weights, p + "out_proj", merged);
    }
}
