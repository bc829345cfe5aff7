package io.vlmstreams.convert;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import io.vlmstreams.inference.model.Lfm2VlConfig;

import java.util.List;

/**
 * Builds the ONNX graphs (opset 18, float32, standard ops only) of the LFM2-VL vision side from an
 * upstream checkpoint, computing what upstream transformers 5.17 computes
 * ({@code Lfm2VlModel.get_image_features}: SigLIP2 NaFlex {@code last_hidden_state}, then the
 * multimodal projector).
 *
 * <p>Combined layout (onnx-community {@code vision_encoder.onnx}, what transformers.js drives):
 * <ul>
 *   <li>in {@code pixel_values} float [batch_size, num_patches, C*p*p]: each tile's patches in
 *       row-major patch order, each patch (dy, dx, channel), zero-padded to num_patches;</li>
 *   <li>in {@code pixel_attention_mask} int64 [batch_size, num_patches]: 1 for real patches, which
 *       must be the first h*w;</li>
 *   <li>in {@code spatial_shapes} int64 [batch_size, 2]: (h, w) patch rows and columns per tile,
 *       both multiples of {@code downsample_factor};</li>
 *   <li>out {@code image_features} float [num_image_tokens, text_hidden]: for each tile in order its
 *       (h/f)*(w/f) unshuffled positions in row-major order; padding patches produce nothing.</li>
 * </ul>
 *
 * <p>Split layout (the same math cut after the vision tower, so the projector can run separately):
 * <ul>
 *   <li>{@code vision_encoder} without projector: same three inputs -> {@code last_hidden_state}
 *       float [batch_size, num_patches, vision_hidden] (after post_layernorm; rows of padding
 *       patches are computed but meaningless);</li>
 *   <li>{@code projector}: {@code last_hidden_state} float [batch_size, num_patches, vision_hidden]
 *       and {@code spatial_shapes} int64 [batch_size, 2] -> {@code image_features} as above. The
 *       padding mask is not an input: the real rows of a tile are its first h*w, which is what
 *       upstream's sum(mask) truncation keeps for any valid input.</li>
 * </ul>
 *
 * <p>Each tile's result is independent of the other tiles in the batch (no per-tile control
 * flow; attention masks padding keys), so batching never changes an image's features.
 * Checkpoint tensors become initializers under their upstream names (linear weights stored
 * transposed, [in, out]); everything else is a Constant node, so
 * {@link OnnxGraphBuilder#parameterCount} counts exactly the checkpoint parameters used.
 */
public final class VisionGraphs {

    public static final String PIXEL_VALUES = "pixel_values";
    public static final String PIXEL_ATTENTION_MASK = "pixel_attention_mask";
    public static final String SPATIAL_SHAPES = "spatial_shapes";
    public static final String IMAGE_FEATURES = "image_features";
    public static final String LAST_HIDDEN_STATE = "last_hidden_state";

    private static final List<String> TOWER_PREFIXES =
            List.of("model.vision_tower.", "model.vision_tower.vision_model.", "vision_tower.vision_model.", "vision_tower.");
    private static final List<String> PROJECTOR_PREFIXES = List.of("model.multi_modal_projector.", "multi_modal_projector.");

    private static final String PRODUCER = "vlm-streams";
    private static final DataType FLOAT = DataType.FLOAT;
    private static final DataType INT64 = DataType.INT64;

    private VisionGraphs() {
    }

    /**
     * The vision encoder: with {@code includeProjector} the combined graph producing
     * {@code image_features}, otherwise the tower alone producing {@code last_hidden_state}.
     */
    public static OnnxMl.ModelProto visionEncoder(Lfm2VlConfig cfg, SafetensorsReader weights, boolean includeProjector) {
        Lfm2VlConfig.VisionConfig v = cfg.vision();
        OnnxGraphBuilder g = new OnnxGraphBuilder(includeProjector ? "lfm2_vl_vision_encoder" : "siglip2_vision_tower");
        g.input(PIXEL_VALUES, FLOAT, "batch_size", "num_patches", v.numChannels() * v.patchSize() * v.patchSize());
        g.input(PIXEL_ATTENTION_MASK, INT64, "batch_size", "num_patches");
        g.input(SPATIAL_SHAPES, INT64, "batch_size", 2);
        String hidden = new SiglipEncoderNodes(g, weights, v, towerPrefix(weights))
                .emit(PIXEL_VALUES, PIXEL_ATTENTION_MASK, SPATIAL_SHAPES);
        if (!includeProjector) {
            g.output(hidden, LAST_HIDDEN_STATE, FLOAT, "batch_size", "num_patches", v.hiddenSize());
            return g.build(PRODUCER);
        }
        String features = projectorNodes(g, cfg, weights).emit(hidden, SPATIAL_SHAPES);
        g.output(features, IMAGE_FEATURES, FLOAT, "num_image_tokens", cfg.text().hiddenSize());
        return g.build(PRODUCER);
    }

    /** The projector of the split layout: {@code last_hidden_state}, {@code spatial_shapes} -> {@code image_features}. */
    public static OnnxMl.ModelProto projector(Lfm2VlConfig cfg, SafetensorsReader weights) {
        OnnxGraphBuilder g = new OnnxGraphBuilder("lfm2_vl_projector");
        g.input(LAST_HIDDEN_STATE, FLOAT, "batch_size", "num_patches", cfg.vision().hiddenSize());
        g.input(SPATIAL_SHAPES, INT64, "batch_size", 2);
        String features = projectorNodes(g, cfg, weights).emit(LAST_HIDDEN_STATE, SPATIAL_SHAPES);
        g.output(features, IMAGE_FEATURES, FLOAT, "num_image_tokens", cfg.text().hiddenSize());
        return g.build(PRODUCER);
    }

    static ProjectorNodes projectorNodes(OnnxGraphBuilder g, Lfm2VlConfig cfg, SafetensorsReader weights) {
        String prefix = PROJECTOR_PREFIXES.stream().filter(p -> weights.contains(p + "linear_1.weight")).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("checkpoint has no multi_modal_projector.linear_1.weight"));
        int f = cfg.downsampleFactor();
        long expectedIn = (long) cfg.vision().hiddenSize() * f * f;
        long[] l1 = weights.info(prefix + "linear_1.weight").shape();
        long[] l2 = weights.info(prefix + "linear_2.weight").shape();
        if (l1.length != 2 || l1[1] != expectedIn || l1[0] != cfg.projectorHiddenSize()
                || l2.length != 2 || l2[1] != l1[0] || l2[0] != cfg.text().hiddenSize()) {
            throw new IllegalArgumentException("projector weights " + java.util.Arrays.toString(l1) + ", "
                    + java.util.Arrays.toString(l2) + " do not fit vision hidden " + cfg.vision().hiddenSize()
                    + " x factor " + f + "^2 -> " + cfg.projectorHiddenSize() + " -> text hidden " + cfg.text().hiddenSize());
        }
        return new ProjectorNodes(g, weights, cfg, prefix);
    }

    static String towerPrefix(SafetensorsReader weights) {
        return TOWER_PREFIXES.stream().filter(p -> weights.contains(p + "embeddings.patch_embedding.weight")).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("checkpoint has no vision_tower embeddings.patch_embedding.weight"));
    }
}
