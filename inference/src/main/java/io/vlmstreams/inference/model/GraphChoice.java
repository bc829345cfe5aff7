package io.vlmstreams.inference.model;

/**
 * The file chosen for one graph: the precision asked for and the variant taken, which differs when
 * the folder lacks the asked one and the nearest was taken instead.
 */
public record GraphChoice(OnnxGraph graph, OnnxDtype asked, GraphVariant chosen) {

    /** True when the folder had no {@link #asked} file for this graph and another precision stands in. */
    public boolean fellBack() {
        return chosen.dtype() != asked;
    }

    /** E.g. {@code embed_tokens_fp16.onnx (no q4; nearest fp16)} or just {@code decoder_q4.onnx}. */
    public String describe() {
        return chosen.fileName() + (fellBack() ? " (no " + asked + "; nearest " + chosen.dtype() + ")" : "");
    }
}
