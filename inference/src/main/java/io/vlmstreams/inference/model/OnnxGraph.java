package io.vlmstreams.inference.model;

import java.util.List;
import java.util.Locale;

/** The ONNX graphs of an LFM2-VL folder, by their file stem under {@code onnx/}. */
public enum OnnxGraph {
    /** SigLIP2 encoder; includes the projector unless the folder ships {@link #PROJECTOR} separately. */
    VISION_ENCODER("vision_encoder", "embed_images"),
    /** Optional: pixel unshuffle + MLP projector, present only in split exports. */
    PROJECTOR("projector"),
    EMBED_TOKENS("embed_tokens"),
    DECODER("decoder_model_merged", "decoder");

    private final String stem;
    private final List<String> aliases;

    OnnxGraph(String stem, String... aliases) {
        this.stem = stem;
        this.aliases = List.of(aliases);
    }

    /** File stem, e.g. {@code decoder_model_merged}; also the key in per-graph dtype settings. */
    public String stem() {
        return stem;
    }

    /** Other stems published folders give this graph (LiquidAI's LFM2.5-VL-1.6B: {@code embed_images}, {@code decoder}). */
    public List<String> aliases() {
        return aliases;
    }

    /** Looks a graph up by its stem, an alias or its enum name, case-insensitive. */
    public static OnnxGraph byStem(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (OnnxGraph g : values()) {
            if (g.stem.equals(n) || g.aliases.contains(n) || g.name().toLowerCase(Locale.ROOT).equals(n)) {
                return g;
            }
        }
        throw new IllegalArgumentException("unknown ONNX graph '" + name
                + "'; known: vision_encoder (embed_images), projector, embed_tokens, decoder_model_merged (decoder)");
    }
}
