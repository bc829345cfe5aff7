package io.vlmstreams.convert;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import io.vlmstreams.inference.model.Lfm2VlConfig;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The SigLIP2 NaFlex vision tower as Liquid AI's builder structures it: linear patch embedding; the learned
 * position grid resized ONCE PER CALL with an ONNX {@code Resize} to the first tile's {@code spatial_shapes} and added
 * to every tile; pre-norm encoder layers whose attention is {@code com.microsoft.MultiHeadAttention} with an
 * {@code attention_bias} built from {@code pixel_attention_mask}; tanh/erf GELU as {@code com.microsoft.FastGelu} /
 * {@code Gelu}; post layer norm.
 *
 * <p>So a tile whose shape differs from the first tile's gets the first tile's grid, read in its own row-major patch
 * order (and the first embedding past the first tile's patch count): wrong features, on purpose, since this is what
 * the published graphs compute. With every tile of a call the same shape, the result is upstream's: the resize is
 * bilinear with half-pixel centres and antialiasing (Resize's {@code antialias}, opset 18; {@code exclude_outside}
 * drops and renormalises the filter taps beyond the grid instead of repeating its edge), which is torch's
 * {@code interpolate(bilinear, align_corners=False, antialias=True)}. The published graphs leave antialias off, which
 * differs from upstream only where a grid side shrinks.
 */
final class LiquidSiglipEncoderNodes {

    private final OnnxGraphBuilder g;
    private final SafetensorsReader weights;
    private final Lfm2VlConfig.VisionConfig cfg;
    private final String prefix;

    LiquidSiglipEncoderNodes(OnnxGraphBuilder g, SafetensorsReader weights, Lfm2VlConfig.VisionConfig cfg, String prefix) {
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
        String x = g.add(patches, positionEmbeddingsOfFirstTile(pixelValues, spatialShapes));

        g.scope("vision/attn_mask");
        String bias = attentionBias(pixelAttentionMask);
        for (int i = 0; i < cfg.numHiddenLayers(); i++) {
            x = layer(i, x, bias);
        }
        g.scope("vision/post_layernorm");
        return VisionLayers.layerNorm(g, weights, prefix + "post_layernorm", cfg.layerNormEps(), x);
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

    private String layer(int i, String x, String bias) {
        String p = prefix + "encoder.layers." + i + ".";
        g.scope("vision/layers." + i + "/attn");
        String h = VisionLayers.layerNorm(g, weights, p + "layer_norm1", cfg.layerNormEps(), x);
        x = g.add(x, attention(p + "self_attn.", h, bias));
        g.scope("vision/layers." + i + "/mlp");
        h = VisionLayers.layerNorm(g, weights, p + "layer_norm2", cfg.layerNormEps(), x);
        h = VisionLayers.linear(g, weights, p + "mlp.fc1", h);
        h = activation(h);
        h = VisionLayers.linear(g, weights, p + "mlp.fc2", h);
        return g.add(x, h);
    }

    private String attention(String p, String x, String bias) {
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
    private String activation(String x) {
        return switch (cfg.hiddenAct()) {
            case "gelu_pytorch_tanh", "gelu_new", "gelu_fast" -> g.msOp("FastGelu", List.of(x), Map.of());
            case "gelu" -> g.msOp("Gelu", List.of(x), Map.of());
            default -> VisionLayers.activation(g, cfg.hiddenAct(), x);
        };
    }
}
