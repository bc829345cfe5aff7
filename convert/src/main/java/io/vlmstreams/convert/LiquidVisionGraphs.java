package io.vlmstreams.convert;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import io.vlmstreams.inference.model.Lfm2VlConfig;

/**
 * The vision encoder (SigLIP2 NaFlex tower + projector) as Liquid AI's builder writes it: the session interface of
 * onnx-community's {@code vision_encoder} ({@code pixel_values}, {@code pixel_attention_mask}, {@code spatial_shapes}
 * -> {@code image_features} [num_image_tokens, text_hidden]; see {@link VisionGraphs}), with the tower on fused
 * operators ({@link SiglipEncoderNodes#liquid}) and the projector of {@link ProjectorNodes}.
 *
 * <p>Unlike {@link VisionGraphs}, a call is exact only when all its tiles have the same {@code spatial_shapes}: the
 * position embeddings are resized once per call, to the first tile's shape, as the published graph does. A caller
 * must group tiles by shape (a tiled image's thumbnail has a shape of its own).
 */
public final class LiquidVisionGraphs {

    private static final String PRODUCER = "vlm-streams";

    private LiquidVisionGraphs() {
    }

    /** The combined vision encoder graph. */
    public static OnnxMl.ModelProto visionEncoder(Lfm2VlConfig cfg, SafetensorsReader weights) {
        Lfm2VlConfig.VisionConfig v = cfg.vision();
        OnnxGraphBuilder g = new OnnxGraphBuilder("embed_images");
        g.input(VisionGraphs.PIXEL_VALUES, DataType.FLOAT, "batch_size", "num_patches",
                v.numChannels() * v.patchSize() * v.patchSize());
        g.input(VisionGraphs.PIXEL_ATTENTION_MASK, DataType.INT64, "batch_size", "num_patches");
        g.input(VisionGraphs.SPATIAL_SHAPES, DataType.INT64, "batch_size", 2);
        String hidden = SiglipEncoderNodes.liquid(g, weights, v, VisionGraphs.towerPrefix(weights))
                .emit(VisionGraphs.PIXEL_VALUES, VisionGraphs.PIXEL_ATTENTION_MASK, VisionGraphs.SPATIAL_SHAPES);
        String features = VisionGraphs.projectorNodes(g, cfg, weights).emit(hidden, VisionGraphs.SPATIAL_SHAPES);
        g.output(features, VisionGraphs.IMAGE_FEATURES, DataType.FLOAT, "num_image_tokens", cfg.text().hiddenSize());
        return g.build(PRODUCER);
    }
}
