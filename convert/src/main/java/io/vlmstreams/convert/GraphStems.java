package io.vlmstreams.convert;

import io.vlmstreams.inference.model.OnnxGraph;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The file stems under {@code onnx/} that a conversion writes the vision encoder, the token embedding and the decoder
 * as: onnx-community's {@code vision_encoder}, {@code embed_tokens}, {@code decoder_model_merged} by default, or
 * LiquidAI's LFM2.5-VL-1.6B names {@code embed_images}, {@code embed_tokens}, {@code decoder}. Each stem must be one
 * that {@link OnnxGraph} knows for that graph (its stem or an alias), so whatever is written can be read back. The
 * split layout's projector always keeps {@link OnnxGraph#PROJECTOR}'s stem.
 */
public record GraphStems(String visionEncoder, String embedTokens, String decoder) {

    /** onnx-community's stems, which transformers.js looks for. */
    public static final GraphStems DEFAULT = new GraphStems(
            OnnxGraph.VISION_ENCODER.stem(), OnnxGraph.EMBED_TOKENS.stem(), OnnxGraph.DECODER.stem());

    public GraphStems {
        check(OnnxGraph.VISION_ENCODER, visionEncoder);
        check(OnnxGraph.EMBED_TOKENS, embedTokens);
        check(OnnxGraph.DECODER, decoder);
    }

    /** {@code vision,embed,decoder}, e.g. {@code embed_images,embed_tokens,decoder}. */
    public static GraphStems parse(String text) {
        List<String> parts = List.of(text.split(",", -1));
        if (parts.size() != 3) {
            throw new IllegalArgumentException("--stems takes three names, vision encoder, token embedding, decoder "
                    + "(e.g. embed_images,embed_tokens,decoder), not '" + text + "'");
        }
        return new GraphStems(normal(parts.get(0)), normal(parts.get(1)), normal(parts.get(2)));
    }

    /** The stem {@code graph} is written under. */
    public String of(OnnxGraph graph) {
        return switch (graph) {
            case VISION_ENCODER -> visionEncoder;
            case EMBED_TOKENS -> embedTokens;
            case DECODER -> decoder;
            case PROJECTOR -> OnnxGraph.PROJECTOR.stem();
        };
    }

    /** As {@link #parse} reads it. */
    public String label() {
        return visionEncoder + "," + embedTokens + "," + decoder;
    }

    private static String normal(String stem) {
        return stem.trim().toLowerCase(Locale.ROOT);
    }

    private static void check(OnnxGraph graph, String stem) {
        if (!graph.stems().contains(stem)) {
            List<String> known = new ArrayList<>(graph.stems());
            throw new IllegalArgumentException("'" + stem + "' is not a stem of the " + graph.stem() + " graph; known: "
                    + String.join(", ", known));
        }
    }
}
