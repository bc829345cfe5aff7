package io.vlmstreams.convert;

import java.util.Locale;

/**
 * Which graphs a converted folder holds under {@code onnx/}.
 * <ul>
 *   <li>{@link #ONNX_COMMUNITY}: {@code vision_encoder} (encoder + projector, outputs
 *   {@code image_features} in the text hidden size), {@code embed_tokens},
 *   {@code decoder_model_merged}: the layout of the onnx-community / LiquidAI ONNX repositories
 *   that transformers.js loads.</li>
 *   <li>{@link #SPLIT}: the same, except that {@code vision_encoder} stops before the projector
 *   and {@code projector} is a graph of its own, so the two can be scheduled separately.
 *   transformers.js knows no projector session: {@code reference/generate.mjs} chains it after
 *   the vision encoder itself.</li>
 *   <li>{@link #LIQUID}: the graphs of Liquid AI's own builder (LiquidAI/LFM2.5-VL-*-ONNX): a decoder without
 *   {@code position_ids} and {@code num_logits_to_keep} whose attention is {@code com.microsoft.GroupQueryAttention}
 *   (see {@link LiquidDecoderGraphs}), and a vision encoder on {@code com.microsoft.MultiHeadAttention} that sizes its
 *   position embeddings once per call (see {@link LiquidVisionGraphs}). Same session interface names as
 *   onnx-community; file stems per {@link GraphStems}.</li>
 * </ul>
 */
public enum Layout {
    ONNX_COMMUNITY("onnx-community"),
    SPLIT("split"),
    LIQUID("liquid");

    private final String label;

    Layout(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** {@code onnx-community}, {@code split} or {@code liquid}, case-insensitive ({@code onnx_community} too). */
    public static Layout parse(String text) {
        String t = text.toLowerCase(Locale.ROOT).replace('_', '-');
        for (Layout l : values()) {
            if (l.label.equals(t)) {
                return l;
            }
        }
        throw new IllegalArgumentException("unknown layout '" + text + "' (expected onnx-community, split or liquid)");
    }
}
