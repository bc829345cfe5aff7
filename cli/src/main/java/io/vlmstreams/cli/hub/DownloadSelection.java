package io.vlmstreams.cli.hub;

import com.fasterxml.jackson.databind.JsonNode;
import io.vlmstreams.inference.model.DtypeSelection;
import io.vlmstreams.inference.model.DtypeSource;
import io.vlmstreams.inference.model.GraphChoice;
import io.vlmstreams.inference.model.GraphSelection;
import io.vlmstreams.inference.model.OnnxDtype;
import io.vlmstreams.inference.model.OnnxFolderContents;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Which files of a published folder one precision needs: the configs, tokenizer files and chat template at the
 * top level, then under {@code onnx/} the graph file the engine would load for each graph (the inference module's
 * {@link GraphSelection}: stem aliases, nearest-precision fallback) and its external data ({@code FILE.onnx_data},
 * {@code FILE.onnx_data_1}, ...). Every other precision is left on the Hub: the fp32 graphs alone are gigabytes.
 */
public record DownloadSelection(GraphSelection graphs, List<RepoFile> files) {

    /** Top-level files the engine reads (configs, tokenizer, chat template); READMEs and images are not needed. */
    private static final Set<String> SUPPORT_EXTENSIONS = Set.of("json", "jinja", "txt", "model", "tiktoken");

    public DownloadSelection {
        files = List.copyOf(files);
    }

    /**
     * Picks the files of {@code listing} for {@code asked} (null: the folder's {@code transformers.js_config.dtype},
     * else fp32, as {@code model.dtype=auto} loads it; {@code config} supplies the folder's config.json then).
     */
    public static DownloadSelection choose(List<RepoFile> listing, DtypeSelection asked, Supplier<JsonNode> config) {
        List<RepoFile> files = new ArrayList<>();
        List<String> onnxNames = new ArrayList<>();
        for (RepoFile f : listing) {
            if (isSupportFile(f.path())) {
                files.add(f);
            } else if (f.path().startsWith("onnx/") && f.path().indexOf('/', 5) < 0) {
                onnxNames.add(f.fileName());
            }
        }
        if (onnxNames.stream().noneMatch(n -> n.endsWith(".onnx"))) {
            throw new HubException("the repository has no onnx/*.onnx graphs: not an ONNX export (an upstream checkpoint "
                    + "converts with ./vlm-streams model convert --from DIR --out DIR)");
        }
        GraphSelection graphs;
        try {
            graphs = resolve(OnnxFolderContents.ofNames(Path.of("onnx"), onnxNames), asked, config);
        } catch (IllegalArgumentException e) {
            throw new HubException("the repository's files do not fit: " + e.getMessage(), e);
        }
        for (GraphChoice choice : graphs.chosen().values()) {
            String name = choice.chosen().fileName();
            for (RepoFile f : listing) {
                String n = f.path();
                if (n.equals("onnx/" + name) || n.equals("onnx/" + name + "_data") || n.startsWith("onnx/" + name + "_data_")) {
                    files.add(f);
                }
            }
        }
        return new DownloadSelection(graphs, files);
    }

    private static GraphSelection resolve(OnnxFolderContents present, DtypeSelection asked, Supplier<JsonNode> config) {
        if (asked != null) {
            return GraphSelection.resolve(present, asked, DtypeSource.ASKED);
        }
        JsonNode dtype = config.get().path("transformers.js_config").path("dtype");
        if (dtype.isMissingNode() || dtype.isNull()) {
            return GraphSelection.resolve(present, DtypeSelection.of(OnnxDtype.FP32), DtypeSource.DEFAULT);
        }
        return GraphSelection.resolve(present, DtypeSelection.fromJson(dtype), DtypeSource.FOLDER);
    }

    /** True for a top-level config, tokenizer or template file. */
    public static boolean isSupportFile(String path) {
        if (path.contains("/") || path.startsWith(".")) {
            return false;
        }
        int dot = path.lastIndexOf('.');
        return dot > 0 && SUPPORT_EXTENSIONS.contains(path.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /** Bytes of every file chosen. */
    public long totalBytes() {
        return files.stream().mapToLong(RepoFile::size).sum();
    }
}
