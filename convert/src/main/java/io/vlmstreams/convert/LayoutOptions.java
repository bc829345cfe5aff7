package io.vlmstreams.convert;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.vlmstreams.inference.model.Lfm2VlConfig;
import io.vlmstreams.inference.model.OnnxDtype;
import io.vlmstreams.inference.model.OnnxGraph;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The graph choices of one conversion ({@code --layout}, {@code --stems}, {@code --rotary}) and what they mean: which
 * graphs go under {@code onnx/}, under which stems, built by which builder. {@code rotary} only shapes the
 * {@link Layout#LIQUID} decoder; the other layouts ignore it.
 */
public record LayoutOptions(Layout layout, GraphStems stems, Rotary rotary) {

    public LayoutOptions {
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(stems, "stems");
        Objects.requireNonNull(rotary, "rotary");
    }

    /** {@code layout} with the default stems and rotary inside GroupQueryAttention. */
    public static LayoutOptions of(Layout layout) {
        return new LayoutOptions(layout, GraphStems.DEFAULT, Rotary.GQA);
    }

    /** One graph to write: which graph it is, its file stem and how to build its float32 model. */
    public record PlannedGraph(OnnxGraph graph, String stem, Supplier<ModelProto> build) {
    }

    /** The graphs to write, in writing order (vision encoder, projector when split, token embedding, decoder). */
    public List<PlannedGraph> graphs(Lfm2VlConfig config, SafetensorsReader weights) {
        List<PlannedGraph> out = new ArrayList<>();
        switch (layout) {
            case ONNX_COMMUNITY -> out.add(planned(OnnxGraph.VISION_ENCODER, () -> VisionGraphs.visionEncoder(config, weights, true)));
            case SPLIT -> {
                out.add(planned(OnnxGraph.VISION_ENCODER, () -> VisionGraphs.visionEncoder(config, weights, false)));
                out.add(planned(OnnxGraph.PROJECTOR, () -> VisionGraphs.projector(config, weights)));
            }
            case LIQUID -> out.add(planned(OnnxGraph.VISION_ENCODER, () -> LiquidVisionGraphs.visionEncoder(config, weights)));
        }
        // Liquid AI's embed_tokens is the same single Gather as onnx-community's
        out.add(planned(OnnxGraph.EMBED_TOKENS, () -> DecoderGraphs.embedTokens(config, weights)));
        out.add(planned(OnnxGraph.DECODER, layout == Layout.LIQUID
                ? () -> LiquidDecoderGraphs.decoder(config, weights, rotary)
                : () -> DecoderGraphs.decoderMerged(config, weights)));
        return out;
    }

    /**
     * Files an earlier conversion into the same folder may have left at {@code dtype} that readers would take for
     * these graphs: a projector outside the split layout (the folder would read as split), and each graph under
     * another of its stems (two decoders).
     */
    public List<Path> staleFiles(Path onnxDir, String suffix) {
        List<String> stale = new ArrayList<>();
        if (layout != Layout.SPLIT) {
            stale.add(OnnxGraph.PROJECTOR.stem());
        }
        for (OnnxGraph graph : List.of(OnnxGraph.VISION_ENCODER, OnnxGraph.EMBED_TOKENS, OnnxGraph.DECODER)) {
            List<String> names = new ArrayList<>(graph.stems());
            names.remove(stems.of(graph));
            stale.addAll(names);
        }
        List<Path> files = new ArrayList<>();
        for (String stem : stale) {
            String file = stem + suffix + ".onnx";
            files.add(onnxDir.resolve(file));
            files.add(onnxDir.resolve(OnnxModelFiles.dataFileName(file)));
        }
        return files;
    }

    private PlannedGraph planned(OnnxGraph graph, Supplier<ModelProto> build) {
        return new PlannedGraph(graph, stems.of(graph), build);
    }
}
