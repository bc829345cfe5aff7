package io.vlmstreams.convert;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import io.vlmstreams.inference.model.Lfm2VlConfig;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The SigLIP2 NaFlex vision tower as ONNX nodes, mirroring upstream {@code Siglip2VisionTransformer}
 * (transformers 5.17): linear patch embedding, learned position grid resized per tile, pre-norm
 * encoder layers with key-padding mask, post layer norm. Its result is upstream's
 * {@code last_hidden_state}, which is what LFM2-VL projects (all layers, no pooling head).
 *
 * <p>Every tile is computed independently of the others in the batch: the position embeddings come
 * from per-patch interpolation weights (no per-tile control flow) and attention only sees the keys
 * of the tile's own real patches, so batching never changes a tile's result.
 *
 * <p>{@link #liquid} instead writes the tower as Liquid AI's builder structures it: the learned grid resized
 * ONCE PER CALL with an ONNX {@code Resize} to the first tile's {@code spatial_shapes} and added to every
 * tile; attention as {@code com.microsoft.MultiHeadAttention} with an {@code attention_bias} from
 * {@code pixel_attention_mask}; GELU as {@code com.microsoft.FastGelu} / {@code Gelu}. A tile whose shape
 * differs from the first tile's then gets the first tile's grid: wrong features, on purpose, since this is
 * what the published graphs compute (the engine's batching plan keeps such tiles in calls of their own).
 * With every tile of a call the same shape the result is upstream's: bilinear, half-pixel centres,
 * antialiased ({@code exclude_outside} renormalises the taps beyond the grid), which is torch's
 * {@code interpolate(bilinear, align_corners=False, antialias=True)}; the published graphs leave antialias
 * off, which differs from upstream only where a grid side shrinks.
 */
final class SiglipEncoderNodes {

    private final OnnxGraphBuilder g;
    private final SafetensorsReader weights;
    private final Lfm2VlConfig.VisionConfig cfg;
    private final String prefix;
    private final boolean liquid;

    /** The tower that gives every tile its own position embeddings (this project's graphs). */
    SiglipEncoderNodes(OnnxGraphBuilder g, SafetensorsReader weights, Lfm2VlConfig.VisionConfig cfg, String prefix) {
        this(g, weights, cfg, prefix, false);
    }

    /** The tower as Liquid AI's published vision graphs build it (see the type's documentation). */
    static SiglipEncoderNodes liquid(OnnxGraphBuilder g, SafetensorsReader weights, Lfm2VlConfig.VisionConfig cfg, String prefix) {
        return new SiglipEncoderNodes(g, weights, cfg, prefix, true);
    }

    private SiglipEncoderNodes(OnnxGraphBuilder g, SafetensorsReader weights, Lfm2VlConfig.VisionConfig cfg, String prefix,
                               boolean liquid) {
        this.liquid = liquid;
        this.g = g;
        this.weights = weights;
        this.cfg = cfg;
        this.prefix = prefix;
    }

    /** Emits the tower and returns the name of the post-layernorm hidden states [batch, patches, hidden]. */
    String emit(String pixelValues, String pixelAttentionMask, String spatialShapes) {
        int patchDim = cfg.numChannels() * cfg.patchSize() * cfg.patchSize();
        long[] pe = weights.info(prefix + "embeddings.patch_embedding.weight").shape();
        if (pe.length != 2 || pe[0] != cfg.hiddenSize() || pe[1] != patchDim) {
            throw new IllegalArgumentException("patch_embedding.weight has shape " + Arrays.toString(pe)
                    + ", expected a NaFlex linear [" + cfg.hiddenSize() + ", " + patchDim + "]");
        }
        g.scope("vision/embeddings");
        String patches = VisionLayers.linear(g, weights, prefix + "embeddings.patch_embedding", pixelValues);
        String keyBias;
        String x;
        if (liquid) {
            x = g.add(patches, positionEmbeddingsOfFirstTile(pixelValues, spatialShapes));
            g.scope("vision/attn_mask");
            keyBias = attentionBias(pixelAttentionMask);
        } else {
            x = g.add(patches, positionEmbeddings(pixelValues, spatialShapes));
            // Upstream's _prepare_4d_attention_mask: padding keys get the most negative float.
            g.scope("vision/mask");
            String isPad = g.op("Equal", pixelAttentionMask, g.scalarInt(0));
            keyBias = g.unsqueeze(g.where(isPad, g.scalar(-Float.MAX_VALUE), g.scalar(0.0f)), 1, 2);
        }

        for (int i = 0; i < cfg.numHiddenLayers(); i++) {
            x = layer(i, x, keyBias);
        }
        g.scope("vision/post_layernorm");
        return VisionLayers.layerNorm(g, weights, prefix + "post_layernorm", cfg.layerNormEps(), x);
    }

    /**
     * Upstream resizes the (side x side) learned grid to each tile's (h, w) with
     * F.interpolate(bilinear, align_corners=False, antialias=True) and fills padding rows with the
     * first resized embedding. Here each patch (y, x) gets its separable triangle-filter weights over
     * the grid rows and columns (support widened by the scale when shrinking, normalised to sum 1,
     * exactly as torch's antialiased kernel computes them), and their outer product times the grid
     * gives its embedding. Padding patches take (0, 0). Computing the weights explicitly keeps the
     * graph independent of how a runtime implements Resize's antialias.
     */
    private String positionEmbeddings(String pixelValues, String spatialShapes) {
        int side = cfg.positionGridSide();
        if (side * side != cfg.numPatches()) {
            throw new IllegalArgumentException("vision num_patches " + cfg.numPatches() + " is not a square");
        }
        String numPatches = g.gather(g.shape(pixelValues), g.scalarInt(1), 0);
        String p = g.range(g.scalarInt(0), numPatches, g.scalarInt(1));
        String h = g.unsqueeze(g.gather(spatialShapes, g.scalarInt(0), 1), 1);
        String w = g.unsqueeze(g.gather(spatialShapes, g.scalarInt(1), 1), 1);
        String valid = g.op("Less", p, g.mul(h, w));
        String row = g.where(valid, g.div(p, w), g.scalarInt(0));
        String col = g.where(valid, g.op("Mod", p, w), g.scalarInt(0));

        String wy = axisWeights(row, h, side);
        String wx = axisWeights(col, w, side);
        String outer = g.mul(g.unsqueeze(wy, 3), g.unsqueeze(wx, 2));
        String flat = g.reshape(outer, 0, 0, (long) side * side);
        SafetensorsReader.Tensor grid = weights.read(prefix + "embeddings.position_embedding.weight",
                cfg.numPatches(), cfg.hiddenSize());
        return g.matmul(flat, g.initializer(grid.name(), grid.data(), cfg.numPatches(), cfg.hiddenSize()));
    }

    /**
     * Antialiased bilinear weights [batch, patches, side] of output index {@code idx} [batch, patches]
     * when resizing {@code side} grid cells to {@code size} [batch, 1] cells: scale = side/size,
     * center = (idx + 0.5) * scale, weight of cell i = max(0, 1 - |(i + 0.5 - center) / max(scale, 1)|),
     * normalised over i.
     */
    private String axisWeights(String idx, String size, int side) {
        String scale = g.div(g.scalar((float) side), g.cast(size, DataType.FLOAT));
        String inv = g.where(g.op("GreaterOrEqual", scale, g.scalar(1.0f)), g.reciprocal(scale), g.scalar(1.0f));
        String center = g.mul(g.add(g.cast(idx, DataType.FLOAT), g.scalar(0.5f)), scale);
        float[] cells = new float[side];
        for (int i = 0; i < side; i++) {
            cells[i] = i + 0.5f;
        }
        String dist = g.sub(g.constFloats(cells, side), g.unsqueeze(center, 2));
        String arg = g.mul(dist, g.unsqueeze(inv, 2));
        String tri = g.op("Relu", g.sub(g.scalar(1.0f), g.op("Abs", arg)));
        String total = g.op("ReduceSum", List.of(tri, g.constInts(2)), Map.of("keepdims", 1L));
        return g.div(tri, total);
    }

    private String layer(int i, String x, String keyBias) {
        String p = prefix + "encoder.layers." + i + ".";
        g.scope("vision/layers." + i + "/attn");
        String h = VisionLayers.layerNorm(g, weights, p + "layer_norm1", cfg.layerNormEps(), x);
        x = g.add(x, liquid ? fusedAttention(p + "self_attn.", h, keyBias) : attention(p + "self_attn.", h, keyBias));
        g.scope("vision/layers." + i + "/mlp");
        h = VisionLayers.layerNorm(g, weights, p + "layer_norm2", cfg.layerNormEps(), x);
        h = VisionLayers.linear(g, weights, p + "mlp.fc1", h);
        h = liquid ? fusedActivation(h) : VisionLayers.activation(g, cfg.hiddenAct(), h);
        h = VisionLayers.linear(g, weights, p + "mlp.fc2", h);
        return g.add(x, h);
    }

    private String attention(String p, String x, String keyBias) {
        int heads = cfg.numAttentionHeads();
        int headDim = cfg.hiddenSize() / heads;
        if (headDim * heads != cfg.hiddenSize()) {
            throw new IllegalArgumentException("vision hidden_size " + cfg.hiddenSize() + " is not divisible by "
                    + heads + " heads");
        }
        String q = g.transpose(g.reshape(VisionLayers.linear(g, weights, p + "q_proj", x), 0, 0, heads, headDim), 0, 2, 1, 3);
        String kT = g.transpose(g.reshape(VisionLayers.linear(g, weights, p + "k_proj", x), 0, 0, heads, headDim), 0, 2, 3, 1);
        String v = g.transpose(g.reshape(VisionLayers.linear(g, weights, p + "v_proj", x), 0, 0, heads, headDim), 0, 2, 1, 3);
        String scores = g.mul(g.matmul(q, kT), g.scalar((float) Math.pow(headDim, -0.5)));
        String probs = g.softmax(g.add(scores, keyBias), -1);
        String ctx = g.transpose(g.matmul(probs, v), 0, 2, 1, 3);
        return VisionLayers.linear(g, weights, p + "out_proj", g.reshape(ctx, 0, 0, cfg.hiddenSize()));
    }

    /**
     * The grid [1, hidden, side, side] resized to (h0, w0) = spatial_shapes[0], flattened row-major to [1, h0*w0,
     * hidden] and padded to num_patches with its first embedding (upstream's padding rule): [1, num_patches, hidden],
     * broadcast over the batch.
     */
    private String positionEmbeddingsOfFirstTile(String pixelValues, String spatialShapes) {
        int side = cfg.positionGridSide();
        int hidden = cfg.hiddenSize();
        if (side * side != cfg.numPatches()) {
            throw new IllegalArgumentException("vision num_patches " + cfg.numPatches() + " is not a square");
        }
        SafetensorsReader.Tensor table = weights.read(prefix + "embeddings.position_embedding.weight", cfg.numPatches(), hidden);
        float[] channelsFirst = new float[table.data().length];
        for (int cell = 0; cell < cfg.numPatches(); cell++) {
            for (int d = 0; d < hidden; d++) {
                channelsFirst[d * cfg.numPatches() + cell] = table.data()[cell * hidden + d];
            }
        }
        String grid = g.initializer(table.name(), channelsFirst, 1, hidden, side, side);

        String first = g.gather(spatialShapes, g.scalarInt(0), 0);
        String h = g.gather(first, g.scalarInt(0), 0);
        String w = g.gather(first, g.scalarInt(1), 0);
        String sizes = g.concat(0, g.constInts(1, hidden), g.unsqueeze(h, 0), g.unsqueeze(w, 0));
        String resized = g.op("Resize", List.of(grid, "", "", sizes), Map.of(
                "mode", "linear", "coordinate_transformation_mode", "half_pixel", "antialias", 1L, "exclude_outside", 1L));
        String flat = g.reshape(g.transpose(resized, 0, 2, 3, 1), 1, -1, hidden);

        String numPatches = g.gather(g.shape(pixelValues), g.scalarInt(1), 0);
        String count = g.mul(h, w);
        String pads = g.concat(0, g.constInts(0, 0, 0, 0), g.unsqueeze(g.sub(numPatches, count), 0), g.constInts(0));
        String padded = g.op("Pad", flat, pads);
        String valid = g.unsqueeze(g.op("Less", g.range(g.scalarInt(0), numPatches, g.scalarInt(1)), count), 0, 2);
        String firstEmbedding = g.slice(flat, new long[] {0}, new long[] {1}, new long[] {1});
        return g.where(valid, padded, firstEmbedding);
    }

    /** Additive bias [batch, 1, patches, patches]: 0 for real keys, the most negative float for padding keys. */
    private String attentionBias(String pixelAttentionMask) {
        String isPad = g.equal(pixelAttentionMask, g.scalarInt(0));
        String keyBias = g.unsqueeze(g.where(isPad, g.scalar(-Float.MAX_VALUE), g.scalar(0.0f)), 1, 2);
        String patches = g.shape(pixelAttentionMask, 1, 2);
        String shape = g.concat(0, g.shape(pixelAttentionMask, 0, 1), g.constInts(1), patches, patches);
        return g.op("Expand", keyBias, shape);
    }

    private String fusedAttention(String p, String x, String bias) {
        int heads = cfg.numAttentionHeads();
        int headDim = cfg.hiddenSize() / heads;
        if (headDim * heads != cfg.hiddenSize()) {
            throw new IllegalArgumentException("vision hidden_size " + cfg.hiddenSize() + " is not divisible by "
                    + heads + " heads");
        }
        String q = VisionLayers.linear(g, weights, p + "q_proj", x);
        String k = VisionLayers.linear(g, weights, p + "k_proj", x);
        String v = VisionLayers.linear(g, weights, p + "v_proj", x);
        String context = g.msOp("MultiHeadAttention", List.of(q, k, v, "", "", bias),
                Map.of("num_heads", (long) heads, "scale", (float) Math.pow(headDim, -0.5)));
        return VisionLayers.linear(g, weights, p + "out_proj", context);
    }

    /** The tower's activation, fused where ONNX Runtime has an operator for it. */
    private String fusedActivation(String x) {
        return switch (cfg.hiddenAct()) {
            case "gelu_pytorch_tanh", "gelu_new", "gelu_fast" -> g.msOp("FastGelu", List.of(x), Map.of());
            case "gelu" -> g.msOp("Gelu", List.of(x), Map.of());
            default -> VisionLayers.activation(g, cfg.hiddenAct(), x);
        };
    }
}
