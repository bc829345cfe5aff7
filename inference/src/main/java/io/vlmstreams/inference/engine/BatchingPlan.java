package io.vlmstreams.inference.engine;

import java.util.ArrayList;
import java.util.List;

import io.vlmstreams.inference.model.GraphTraits;

/**
 * How rows may share a model call on the graphs this engine loaded: chosen at load from what the
 * graphs declare ({@link GraphTraits}), then confirmed or tightened by {@link BatchSelfCheck}. Every
 * plan gives each row the answer it would get alone; the looser ones are faster.
 *
 * @param decode  how decoder rows (prefill, continuous decode, label scoring) may share a call
 * @param vision  how vision-encoder tiles may share a call
 * @param basis   why this plan: the traits it rests on and, once checked, the self-check's verdict
 */
public record BatchingPlan(DecodeSharing decode, VisionSharing vision, String basis) {

    /** Decoder rows in one call. */
    public enum DecodeSharing {
        /**
         * Rows of any lengths, left-padded: exact when the graph takes {@code position_ids} and an
         * attention mask it applies per position (the onnx-community graphs this project writes).
         */
        ANY_LENGTHS,
        /**
         * Rows of any lengths share decode steps, their caches right-padded, and a batch may join a
         * running decode; only prompts of one length are prefilled together. Exact for graphs whose
         * attention is GroupQueryAttention fed {@code seqlens_k} from the mask sum, with RoPE inside it
         * or fed our {@code position_ids}: its CPU kernel reads a row's first {@code seqlens_k + 1} keys
         * as its own and writes the new key right after them. Prefill cannot pad at all: the conv
         * layers would keep right padding as their state, and GQA assumes no left padding.
         */
        RIGHT_PADDED,
        /**
         * Only rows of identical length share a call and nothing joins a running decode: exact for
         * graphs that derive positions or sequence lengths themselves (GroupQueryAttention's
         * {@code seqlens_k} from the mask sum, RotaryEmbedding fed from the past length), since
         * such rows are never padded.
         */
        EQUAL_LENGTHS,
        /** One row per call: exact for any graph. */
        ONE_ROW;

        /**
         * The next stricter sharing, or this one when it is the strictest; right padding is skipped for
         * graphs it cannot fit (their attention does not take row lengths from the mask).
         */
        DecodeSharing stricter(boolean rightPaddingFits) {
            return switch (this) {
                case ANY_LENGTHS -> rightPaddingFits ? RIGHT_PADDED : EQUAL_LENGTHS;
                case RIGHT_PADDED -> EQUAL_LENGTHS;
                case EQUAL_LENGTHS, ONE_ROW -> ONE_ROW;
            };
        }

        /** Whether rows of different lengths share decode steps at this level. */
        boolean mixesLengths() {
            return this == ANY_LENGTHS || this == RIGHT_PADDED;
        }

        /** Where shorter rows' caches are padded at this level (no padding happens below RIGHT_PADDED). */
        public io.vlmstreams.inference.onnx.PaddingSide paddingSide() {
            return this == ANY_LENGTHS ? io.vlmstreams.inference.onnx.PaddingSide.LEFT : io.vlmstreams.inference.onnx.PaddingSide.RIGHT;
        }
    }

    /** Vision-encoder tiles in one call. */
    public enum VisionSharing {
        /** Tiles of any shapes and images: exact when every tile gets its own position embeddings. */
        ANY_SHAPES,
        /**
         * Only tiles of one spatial shape: exact for graphs that size the position-embedding grid once
         * per call (Liquid AI's vision builder), where a tiled image's own thumbnail would otherwise
         * get its tiles' embeddings.
         */
        SAME_SHAPE,
        /** One tile per call: exact for any graph. */
        ONE_TILE;

        VisionSharing stricter() {
            return this == ANY_SHAPES ? SAME_SHAPE : ONE_TILE;
        }
    }

    /** The plan the graphs' declarations allow, before any check. */
    public static BatchingPlan fromTraits(GraphTraits traits) {
        GraphTraits.DecoderTraits d = traits.decoder();
        List<String> why = new ArrayList<>();
        DecodeSharing decode = DecodeSharing.ANY_LENGTHS;
        if (!d.positionIds()) {
            why.add("decoder has no position_ids input");
            decode = DecodeSharing.EQUAL_LENGTHS;
        }
        if (d.groupQueryAttention() > 0) {
            why.add("decoder uses GroupQueryAttention" + (d.seqlensFromMask() ? " (seqlens_k from the mask sum)" : ""));
            decode = DecodeSharing.EQUAL_LENGTHS;
        }
        if (d.rotaryEmbedding() > 0) {
            why.add("decoder uses RotaryEmbedding" + (d.positionIds() ? "" : " on positions it computes itself"));
            decode = DecodeSharing.EQUAL_LENGTHS;
        }
        if (rightPaddingFits(traits) && (d.rotaryEmbedding() == 0 || d.positionIds())) {
            why.add("so decode rows of different lengths share steps right-padded");
            decode = DecodeSharing.RIGHT_PADDED;
        }
        VisionSharing vision = VisionSharing.ANY_SHAPES;
        if (traits.vision().positionEmbeddingsPerCall()) {
            why.add("vision encoder sizes position embeddings once per call (" + traits.vision().positionEmbeddingBasis() + ")");
            vision = VisionSharing.SAME_SHAPE;
        }
        if (why.isEmpty()) {
            why.add("decoder takes position_ids and a per-position mask; vision tiles are independent");
        }
        return new BatchingPlan(decode, vision, String.join("; ", why));
    }

    /**
     * Whether right-padded decode rows can be exact on these graphs: their attention is GroupQueryAttention
     * taking each row's length from the mask sum. Whether its positions are right too (RoPE inside it, or
     * fed our position ids) decides the starting plan; the self-check tries it either way.
     */
    static boolean rightPaddingFits(GraphTraits traits) {
        return traits.decoder().groupQueryAttention() > 0 && traits.decoder().seqlensFromMask();
    }

    /** The strictest plan: one row and one tile per call. */
    public static BatchingPlan exact(String basis) {
        return new BatchingPlan(DecodeSharing.ONE_ROW, VisionSharing.ONE_TILE, basis);
    }

    BatchingPlan withDecode(DecodeSharing d, String reason) {
        return new BatchingPlan(d, vision, basis + "; " + reason);
    }

    BatchingPlan withVision(VisionSharing v, String reason) {
        return new BatchingPlan(decode, v, basis + "; " + reason);
    }

    BatchingPlan noting(String note) {
        return new BatchingPlan(decode, vision, basis + "; " + note);
    }

    /** Padded prefill tokens allowed per real token: bounded padding when rows may pad, none otherwise. */
    double maxPaddingRatio() {
        return decode == DecodeSharing.ANY_LENGTHS ? io.vlmstreams.inference.generate.PrefillGroups.DEFAULT_MAX_PADDING_RATIO : 1.0;
    }

    /** Whether a model batch may board while other rows are decoding (rows of other lengths would be merged). */
    boolean joinsRunningDecode() {
        return decode.mixesLengths();
    }

    /**
     * {@code batch} (indices in the order to run) cut into the groups that may share decoder calls:
     * as it is (the decode batch prefills it in the groups its padding allows), by identical prompt
     * length, or one by one.
     */
    List<List<Integer>> regroup(List<Integer> batch, int[] promptLengths) {
        List<List<Integer>> out = new ArrayList<>();
        switch (decode) {
            case ANY_LENGTHS, RIGHT_PADDED -> out.add(List.copyOf(batch));
            case ONE_ROW -> batch.forEach(i -> out.add(List.of(i)));
            case EQUAL_LENGTHS -> {
                List<Integer> current = new ArrayList<>();
                for (int i : batch.stream().sorted((a, b) -> Integer.compare(promptLengths[a], promptLengths[b])).toList()) {
                    if (!current.isEmpty() && promptLengths[current.get(0)] != promptLengths[i]) {
                        out.add(List.copyOf(current));
                        current.clear();
                    }
                    current.add(i);
                }
                if (!current.isEmpty()) {
                    out.add(List.copyOf(current));
                }
            }
        }
        return out;
    }

    /** One line for logs and {@code model inspect}. */
    public String describe() {
        return "decode " + decode.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                + ", vision " + vision.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + " (" + basis + ")";
    }
}
