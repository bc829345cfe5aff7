package io.vlmstreams.inference.model;

import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.stream.Collectors;

/**
 * Which file of {@code onnx/} each graph loads, resolved once from a {@link DtypeSelection} against
 * what the folder holds. A graph the selection names is taken in exactly that precision; the others
 * take the default dtype, or when the folder lacks it the {@linkplain OnnxDtype#nearest() nearest}
 * one it has. Mixing precisions is safe: the engine reads every graph's float output as float32
 * and converts it to what the next graph declares, so fp16 token embeddings and fp32 image features
 * are merged in one dtype.
 */
public record GraphSelection(DtypeSelection dtype, DtypeSource source, OnnxFolderContents present,
                             Map<OnnxGraph, GraphChoice> chosen) {

    public GraphSelection {
        Map<OnnxGraph, GraphChoice> copy = new EnumMap<>(OnnxGraph.class);
        copy.putAll(chosen);
        chosen = Collections.unmodifiableMap(copy);
    }

    /** Resolves every graph of {@code present} for {@code dtype}; a missing graph or precision is a {@link ModelFolderException}. */
    public static GraphSelection resolve(OnnxFolderContents present, DtypeSelection dtype, DtypeSource source) {
        Map<OnnxGraph, GraphChoice> chosen = new EnumMap<>(OnnxGraph.class);
        for (OnnxGraph graph : OnnxGraph.values()) {
            List<GraphVariant> variants = present.of(graph);
            if (variants.isEmpty()) {
                if (graph.required()) {
                    throw new ModelFolderException("no " + graph.stem() + " graph in " + present.onnxDir()
                            + " (looked for " + String.join("*.onnx, ", graph.stems()) + "*.onnx); present: " + present.describe());
                }
                continue;
            }
            OnnxDtype asked = dtype.dtypeOf(graph);
            List<OnnxDtype> candidates = dtype.named(graph) ? List.of(asked) : asked.nearest();
            Optional<GraphVariant> found = candidates.stream().map(d -> present.find(graph, d))
                    .flatMap(Optional::stream).findFirst();
            if (found.isEmpty()) {
                String what = dtype.named(graph)
                        ? "dtype " + asked + " (asked for by name)"
                        : "dtype " + asked + " or the nearest " + candidates.subList(1, candidates.size()).stream()
                                .map(OnnxDtype::label).collect(Collectors.joining(", "));
                throw new ModelFolderException("no " + graph.stem() + " graph for " + what + " in " + present.onnxDir()
                        + "; present: " + present.describe());
            }
            chosen.put(graph, new GraphChoice(graph, asked, found.get()));
        }
        return new GraphSelection(dtype, source, present, chosen);
    }

    /** The chosen file of each graph. */
    public Map<OnnxGraph, Path> paths() {
        Map<OnnxGraph, Path> out = new EnumMap<>(OnnxGraph.class);
        chosen.forEach((g, c) -> out.put(g, c.chosen().file()));
        return Collections.unmodifiableMap(out);
    }

    /** True when some graph took another precision than asked. */
    public boolean anyFallback() {
        return chosen.values().stream().anyMatch(GraphChoice::fellBack);
    }

    /**
     * One line saying what was chosen per graph, e.g. {@code dtype q4 (asked): vision_encoder_q4.onnx,
     * embed_tokens_fp16.onnx (no q4; nearest fp16), decoder_model_merged_q4.onnx}.
     */
    public String summary() {
        StringJoiner j = new StringJoiner(", ", "dtype " + dtype + " (" + source.description() + "): ", "");
        chosen.values().forEach(c -> j.add(c.describe()));
        return j.toString();
    }
}
