package io.vlmstreams.inference.model;

import java.util.Locale;

/** The ONNX graphs of an LFM2-VL folder, by their file stem under {@code onnx/}. */
public enum OnnxGraph {
    /** SigLIP2 encoder; includes the projector unless the folder ships {@link #PROJECTOR} separately. */
    VISION_ENCODER("vision_encoder"),
    /** Optional: pixel unshuffle + MLP projector, present only in split exports. */
    PROJECTOR("projector"),
    EMBED_TOKENS("embed_tokens"),
    DECODER("decoder_model_merged");

    private final String stem;

    OnnxGraph(String stem) {
        this.stem = stem;
    }

    /** File stem, e.g. {@code decoder_model_merged}; also the key in per-graph dtype settings. */
    public String stem() {
        return stem;
    }

    /** Looks a graph up by its stem (or enum name), case-insensitive. */
    public static OnnxGraph byStem(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (OnnxGraph g : values()) {
            if (g.stem.equals(n) || g.name().toLowerCase(Locale.ROOT).equals(n)) {
                return g;
            }
        }
        throw new IllegalArgumentException("unknown ONNX graph '" + name
                + "'; known: vision_encoder, projector, embed_tokens, decoder_model_merged");
    }
}
