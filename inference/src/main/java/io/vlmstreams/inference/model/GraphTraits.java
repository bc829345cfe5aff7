package io.vlmstreams.inference.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What the chosen graphs of a folder declare and use that decides how rows may share a call, read
 * from their protobuf ({@link GraphInfo}) at load. Batching reads these; this type decides nothing
 * itself. Each detection says below what it rests on; a graph written differently from the
 * published exporters may defeat it, which is why the engine's load-time self-check exists.
 */
public record GraphTraits(DecoderTraits decoder, VisionTraits vision, String embedTokensOutputType) {

    /** The element type reported for a tensor the graph does not declare. */
    public static final String UNDECLARED = "undeclared";

    /**
     * The decoder (decoder_model_merged / decoder).
     *
     * @param positionIds          declares a {@code position_ids} input; without it the graph derives
     *                             positions itself (the published LFM2.5 contract), so left padding shifts them
     * @param numLogitsToKeep      declares {@code num_logits_to_keep}; without it a prefill returns every position's logits
     * @param groupQueryAttention  number of {@code com.microsoft.GroupQueryAttention} nodes
     * @param seqlensFromMask      every GroupQueryAttention's {@code seqlens_k} (input 5) is computed from
     *                             the {@code attention_mask} input (data flow in the graph); GQA then takes
     *                             one length per row and assumes no left padding
     * @param rotaryInAttention    some GroupQueryAttention has {@code do_rotary=1}
     * @param rotaryEmbedding      number of {@code com.microsoft.RotaryEmbedding} nodes
     * @param multiHeadAttention   number of {@code com.microsoft.MultiHeadAttention} nodes
     * @param matMulNBits          the {@code bits} of its {@code com.microsoft.MatMulNBits} nodes (4 when unset, as in ORT); empty when none
     * @param matMulInteger        number of {@code MatMulInteger} nodes (onnx-community q8)
     * @param embedsType           element type of {@code inputs_embeds}
     * @param cacheType            element type of the first {@code past_*} input
     * @param logitsType           element type of {@code logits}
     */
    public record DecoderTraits(boolean positionIds, boolean numLogitsToKeep, int groupQueryAttention,
                                boolean seqlensFromMask, boolean rotaryInAttention, int rotaryEmbedding,
                                int multiHeadAttention, Set<Long> matMulNBits, int matMulInteger,
                                String embedsType, String cacheType, String logitsType) {
        public DecoderTraits {
            matMulNBits = Set.copyOf(matMulNBits);
        }

        /** True when an input, cache or output is float16 rather than float32. */
        public boolean float16Io() {
            return List.of(embedsType, cacheType, logitsType).contains("float16");
        }
    }

    /**
     * The vision encoder (vision_encoder / embed_images).
     *
     * @param multiHeadAttention          number of {@code com.microsoft.MultiHeadAttention} nodes
     * @param positionEmbeddingsPerCall   the position-embedding grid is sized once per call, so tiles of
     *                                    different shapes must not share a call; detected as a
     *                                    {@code Resize} in the main graph (not in a Loop/Scan body) whose
     *                                    {@code scales} or {@code sizes} are computed from the
     *                                    {@code spatial_shapes} input, as Liquid AI's vision builder writes it
     * @param positionEmbeddingBasis      what the detection found, for logs and {@code model inspect}
     * @param matMulNBits                 as for the decoder
     * @param matMulInteger               as for the decoder
     * @param featuresType                element type of the first output
     */
    public record VisionTraits(int multiHeadAttention, boolean positionEmbeddingsPerCall, String positionEmbeddingBasis,
                               Set<Long> matMulNBits, int matMulInteger, String featuresType) {
        public VisionTraits {
            matMulNBits = Set.copyOf(matMulNBits);
        }
    }

    private static final OperatorType GQA = OperatorType.microsoft("GroupQueryAttention");
    private static final OperatorType MHA = OperatorType.microsoft("MultiHeadAttention");
    private static final OperatorType ROTARY = OperatorType.microsoft("RotaryEmbedding");
    private static final OperatorType NBITS = OperatorType.microsoft("MatMulNBits");
    private static final OperatorType MATMUL_INTEGER = OperatorType.onnx("MatMulInteger");
    private static final OperatorType RESIZE = OperatorType.onnx("Resize");
    private static final int GQA_SEQLENS_K = 5;
    private static final int RESIZE_SCALES = 2;
    private static final int RESIZE_SIZES = 3;

    // The operators whose presence changes how rows may share a call or how exact a precision is.
    private static final Set<String> BATCHING_OPERATORS = Set.of(
            "GroupQueryAttention", "MultiHeadAttention", "Attention", "PackedAttention", "PackedMultiHeadAttention",
            "RotaryEmbedding", "MatMulNBits", "MatMulInteger", "DynamicQuantizeLinear", "DynamicQuantizeMatMul",
            "MatMulIntegerToFloat", "GatherBlockQuantized", "MatMulBnb4", "SimplifiedLayerNormalization",
            "SkipSimplifiedLayerNormalization", "Resize", "Loop", "Scan", "If");

    /** Reads the traits of the vision encoder, embed_tokens and decoder graphs in {@code graphs}. */
    public static GraphTraits of(Map<OnnxGraph, GraphInfo> graphs) {
        GraphInfo embed = graphs.get(OnnxGraph.EMBED_TOKENS);
        return new GraphTraits(decoder(graphs.get(OnnxGraph.DECODER)), vision(graphs.get(OnnxGraph.VISION_ENCODER)),
                embed == null || embed.outputs().isEmpty() ? UNDECLARED : embed.outputs().get(0).elementType());
    }

    /** The operators of {@code graph} that decide batching or precision (see the list above), with their counts. */
    public static SortedMap<OperatorType, Integer> batchingOperators(GraphInfo graph) {
        SortedMap<OperatorType, Integer> out = new TreeMap<>();
        graph.operatorCounts().forEach((op, n) -> {
            if (BATCHING_OPERATORS.contains(op.name()) || !op.domain().equals(OperatorType.ONNX)) {
                out.put(op, n);
            }
        });
        return out;
    }

    static DecoderTraits decoder(GraphInfo g) {
        List<GraphNode> gqa = g.nodesOf(GQA);
        Set<String> fromMask = g.derivedFrom("attention_mask");
        boolean seqlensFromMask = !gqa.isEmpty() && g.declaresInput("attention_mask")
                && gqa.stream().allMatch(n -> fromMask.contains(n.input(GQA_SEQLENS_K)));
        String cacheType = g.inputs().stream().filter(t -> t.name().startsWith("past_")).findFirst()
                .map(TensorDecl::elementType).orElse(UNDECLARED);
        return new DecoderTraits(g.declaresInput("position_ids"), g.declaresInput("num_logits_to_keep"), gqa.size(),
                seqlensFromMask, gqa.stream().anyMatch(n -> n.intAttributes().getOrDefault("do_rotary", 0L) == 1L),
                g.nodesOf(ROTARY).size(), g.nodesOf(MHA).size(), bits(g), g.nodesOf(MATMUL_INTEGER).size(),
                type(g, "inputs_embeds", true), cacheType, type(g, "logits", false));
    }

    static VisionTraits vision(GraphInfo g) {
        Set<String> fromShapes = g.declaresInput("spatial_shapes") ? g.derivedFrom("spatial_shapes") : Set.of();
        List<GraphNode> resizes = g.nodesOf(RESIZE).stream()
                .filter(n -> fromShapes.contains(n.input(RESIZE_SIZES)) || fromShapes.contains(n.input(RESIZE_SCALES)))
                .toList();
        List<GraphNode> perCall = resizes.stream().filter(n -> n.depth() == 0).toList();
        String basis;
        if (!perCall.isEmpty()) {
            basis = "Resize " + labels(perCall) + " sized from spatial_shapes in the main graph: one grid per call";
        } else if (!resizes.isEmpty()) {
            basis = "Resize " + labels(resizes) + " sized from spatial_shapes inside a subgraph body: taken as per tile";
        } else if (!g.declaresInput("spatial_shapes")) {
            basis = "no spatial_shapes input";
        } else {
            basis = "no Resize sized from spatial_shapes";
        }
        return new VisionTraits(g.nodesOf(MHA).size(), !perCall.isEmpty(), basis, bits(g), g.nodesOf(MATMUL_INTEGER).size(),
                g.outputs().isEmpty() ? UNDECLARED : g.outputs().get(0).elementType());
    }

    /**
     * The traits section of {@code model inspect} and of the load log, one line per graph. Batching
     * decisions made from these (and the load-time self-check) add their own lines after these.
     */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        DecoderTraits d = decoder;
        lines.add("decoder: position_ids " + yesNo(d.positionIds()) + ", num_logits_to_keep " + yesNo(d.numLogitsToKeep())
                + ", GroupQueryAttention " + d.groupQueryAttention()
                + (d.groupQueryAttention() > 0 ? " (seqlens_k from attention_mask " + yesNo(d.seqlensFromMask())
                        + ", rotary inside " + yesNo(d.rotaryInAttention()) + ")" : "")
                + ", RotaryEmbedding " + d.rotaryEmbedding() + ", MultiHeadAttention " + d.multiHeadAttention()
                + ", " + quantization(d.matMulNBits(), d.matMulInteger())
                + ", inputs_embeds " + d.embedsType() + ", caches " + d.cacheType() + ", logits " + d.logitsType());
        VisionTraits v = vision;
        lines.add("vision_encoder: position embeddings per call " + yesNo(v.positionEmbeddingsPerCall())
                + " (" + v.positionEmbeddingBasis() + "), MultiHeadAttention " + v.multiHeadAttention()
                + ", " + quantization(v.matMulNBits(), v.matMulInteger()) + ", features " + v.featuresType());
        lines.add("embed_tokens: output " + embedTokensOutputType);
        return lines;
    }

    private static Set<Long> bits(GraphInfo g) {
        return g.nodesOf(NBITS).stream().map(n -> n.intAttributes().getOrDefault("bits", 4L))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static String type(GraphInfo g, String name, boolean input) {
        return (input ? g.input(name) : g.output(name)).map(TensorDecl::elementType).orElse(UNDECLARED);
    }

    private static String labels(List<GraphNode> nodes) {
        return nodes.stream().map(n -> "'" + n.label() + "'").collect(Collectors.joining(", "));
    }

    private static String quantization(Set<Long> bits, int matMulInteger) {
        String nbits = bits.isEmpty() ? "MatMulNBits none"
                : "MatMulNBits " + new TreeSet<>(bits).stream().map(b -> b + "-bit").collect(Collectors.joining("/"));
        return nbits + ", MatMulInteger " + matMulInteger;
    }

    private static String yesNo(boolean b) {
        return b ? "yes" : "no";
    }
}
