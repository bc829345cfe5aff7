package io.vlmstreams.inference.model;

import java.util.List;
import java.util.Locale;

/**
 * The ONNX graphs of an LFM2-VL folder and the file stems they go by under {@code onnx/}:
 * onnx-community and LFM2.5-VL-450M folders say {@code vision_encoder}, {@code embed_tokens},
 * {@code decoder_model_merged}; the LFM2.5-VL-1.6B folder says {@code embed_images} and
 * {@code decoder}. Every alias is known here and nowhere else.
 */
public enum OnnxGraph {
    /** SigLIP2 encoder; includes the projector unless the folder ships {@link #PROJECTOR} separately. */
    VISION_ENCODER("vision_encoder", "embed_images"),
    /** Optional: pixel unshuffle + MLP projector, present only in split exports. */
    PROJECTOR("projector"),
    EMBED_TOKENS("embed_tokens"),
    DECODER("decoder_model_merged", "decoder");

    private final List<String> stems;

    OnnxGraph(String... stems) {
        this.stems = List.of(stems);
    }

    /** The canonical file stem, e.g. {@code decoder_model_merged}; also the key in per-graph dtype settings. */
    public String stem() {
        return stems.get(0);
    }

    /** Every stem a published folder names this graph by, the canonical one first (preferred when both are present). */
    public List<String> stems() {
        return stems;
    }

    /** True when every folder must have this graph (the projector exists only in split exports). */
    public boolean required() {
        return this != PROJECTOR;
    }

    /** Looks a graph up by any of its stems (or enum name), case-insensitive. */
    public static OnnxGraph byStem(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (OnnxGraph g : values()) {
            if (g.stems.contains(n) || g.name().toLowerCase(Locale.ROOT).equals(n)) {
                return g;
            }
        }
        throw new IllegalArgumentException("unknown ONNX graph '" + name
                + "'; known: vision_encoder (embed_images), projector, embed_tokens, decoder_model_merged (decoder)");
    }
}
