package io.vlmstreams.cli;

import io.vlmstreams.inference.model.GraphChoice;
import io.vlmstreams.inference.model.GraphInfo;
import io.vlmstreams.inference.model.GraphTraits;
import io.vlmstreams.inference.model.GraphVariant;
import io.vlmstreams.inference.model.Lfm2VlConfig;
import io.vlmstreams.inference.engine.BatchingPlan;
import io.vlmstreams.inference.engine.EngineConfig;
import io.vlmstreams.inference.engine.LocalInferenceEngine;
import io.vlmstreams.inference.model.ModelFolder;
import io.vlmstreams.inference.onnx.RuntimeConfig;
import io.vlmstreams.inference.model.OnnxFolderContents;
import io.vlmstreams.inference.model.OnnxGraph;
import io.vlmstreams.inference.model.OperatorType;
import io.vlmstreams.inference.model.TensorDecl;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code model inspect DIR [--dtype D]}: what a model folder holds and what the engine would load
 * from it, read from the files alone (no ONNX Runtime session is created): the graphs and precision
 * variants found, the variant chosen per graph, each chosen graph's inputs, outputs and the
 * operators that decide batching, and the traits batching reads.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show the graphs and precisions of a model folder, the files the engine would load, their "
                + "inputs, outputs and batching-relevant operators, and the traits batching decisions read.")
public final class ModelInspectCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "DIR", description = "ONNX model folder (config.json, tokenizer, onnx/).")
    Path dir;

    @Option(names = "--dtype", defaultValue = "auto", paramLabel = "D",
            description = "Precision to resolve, as for infer (default: ${DEFAULT-VALUE}: the folder's "
                    + "transformers.js_config.dtype, else fp32).")
    String dtype;

    @Override
    public Integer call() {
        ModelFolder folder = ModelFolder.open(dir, dtype);
        print(folder, System.out);
        printPlan(folder, System.out);
        return 0;
    }

    /**
     * Opens the engine (CPU) on the folder already read, which chooses its batching plan and runs the self-check at
     * load, and prints both.
     */
    static void printPlan(ModelFolder folder, PrintStream out) {
        out.println();
        out.println("batching plan from the traits: " + BatchingPlan.fromTraits(folder.traits()).describe());
        EngineConfig config = EngineConfig.defaults(folder.dir()).withDtype(folder.dtype().toString())
                .withRuntime(RuntimeConfig.cpu());
        try (LocalInferenceEngine engine = LocalInferenceEngine.open(config, folder)) {
            out.println("batching plan after the load-time self-check: " + engine.batchingPlan().describe());
        }
    }

    static void print(ModelFolder folder, PrintStream out) {
        out.println("model folder " + folder.dir());
        out.println("config: " + describe(folder.config()));
        out.println(folder.selection().summary());

        out.println();
        out.println("graphs in onnx/:");
        OnnxFolderContents present = folder.selection().present();
        for (OnnxGraph graph : OnnxGraph.values()) {
            List<GraphVariant> variants = present.of(graph);
            if (variants.isEmpty()) {
                continue;
            }
            GraphChoice choice = folder.selection().chosen().get(graph);
            out.printf("  %-22s variants: %s%n", graph.stem(),
                    variants.stream().map(v -> v.fileName() + " (" + v.dtype() + ")").collect(Collectors.joining(", ")));
            out.printf("  %-22s chosen:   %s%n", "", choice == null ? "-" : choice.describe());
        }
        if (!present.otherFiles().isEmpty()) {
            out.println("  not read as a graph: " + String.join(", ", present.otherFiles()));
        }

        for (Map.Entry<OnnxGraph, GraphInfo> e : folder.graphInfo().entrySet()) {
            GraphInfo g = e.getValue();
            out.println();
            out.printf("%s: onnx/%s (IR %d, opsets %s, %d nodes, %s)%n", e.getKey().stem(), g.file().getFileName(),
                    g.irVersion(), opsets(g), g.nodes().size(), weights(g));
            out.println("  inputs:");
            g.inputs().forEach(t -> out.println("    " + t));
            out.println("  outputs:");
            g.outputs().forEach(t -> out.println("    " + t));
            SortedMap<OperatorType, Integer> batching = GraphTraits.batchingOperators(g);
            out.println("  operators deciding batching: " + (batching.isEmpty() ? "none" : counts(batching)));
            out.println("  all operators: " + counts(g.operatorCounts()));
        }

        out.println();
        out.println("traits:");
        folder.traits().describe().forEach(line -> out.println("  " + line));
    }

    private static String describe(Lfm2VlConfig c) {
        Lfm2VlConfig.TextConfig t = c.text();
        long attention = t.layerTypes().stream().filter("full_attention"::equals).count();
        return String.format("text %d layers (%d attention, %d conv), hidden %d, %d/%d heads, vocab %d; "
                        + "vision %d layers, hidden %d; image token %d",
                t.numHiddenLayers(), attention, t.numHiddenLayers() - attention, t.hiddenSize(), t.numAttentionHeads(),
                t.numKeyValueHeads(), t.vocabSize(), c.vision().numHiddenLayers(), c.vision().hiddenSize(), c.imageTokenId());
    }

    private static String opsets(GraphInfo g) {
        return g.opsets().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
    }

    private static String weights(GraphInfo g) {
        GraphInfo.Weights w = g.weights();
        String s = String.format("%d initializers, %s inline", w.initializers(), megabytes(w.inlineBytes()));
        if (!w.externalFiles().isEmpty()) {
            s += ", external " + String.join(", ", w.externalFiles().stream().sorted().toList())
                    + (w.externalBytes() > 0 ? " (" + megabytes(w.externalBytes()) + ")" : "");
        }
        return s;
    }

    private static String megabytes(long bytes) {
        return String.format("%.1f MB", bytes / 1e6);
    }

    private static String counts(Map<OperatorType, Integer> counts) {
        return counts.entrySet().stream().map(e -> e.getKey() + " x" + e.getValue()).collect(Collectors.joining(", "));
    }
}
