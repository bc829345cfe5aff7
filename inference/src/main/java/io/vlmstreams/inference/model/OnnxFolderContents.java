package io.vlmstreams.inference.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What a folder's {@code onnx/} directory holds: every file read as a graph under one of its stems
 * in one precision, and the {@code .onnx} files that are neither. Only names are looked at.
 */
public record OnnxFolderContents(Path onnxDir, Map<OnnxGraph, List<GraphVariant>> variants, List<String> otherFiles) {

    public OnnxFolderContents {
        Map<OnnxGraph, List<GraphVariant>> copy = new EnumMap<>(OnnxGraph.class);
        variants.forEach((g, v) -> copy.put(g, List.copyOf(v)));
        variants = java.util.Collections.unmodifiableMap(copy);
        otherFiles = List.copyOf(otherFiles);
    }

    /** Lists {@code onnxDir}; each graph's variants come in stem order (canonical first), then precision order. */
    public static OnnxFolderContents scan(Path onnxDir) {
        List<String> names;
        try (Stream<Path> files = Files.list(onnxDir)) {
            names = files.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".onnx")).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + onnxDir + ": " + e.getMessage(), e);
        }
        return ofNames(onnxDir, names);
    }

    /**
     * Reads file names as {@link #scan} reads a listing: names not ending in {@code .onnx} are ignored. For a folder
     * that is not on disk yet (a remote repository's file list), so the same rules pick what to download.
     */
    public static OnnxFolderContents ofNames(Path onnxDir, java.util.Collection<String> fileNames) {
        List<String> names = fileNames.stream().filter(n -> n.endsWith(".onnx")).sorted().collect(Collectors.toList());
        Map<OnnxGraph, List<GraphVariant>> variants = new EnumMap<>(OnnxGraph.class);
        List<String> other = new ArrayList<>();
        for (String name : names) {
            Optional<GraphVariant> v = parse(onnxDir, name);
            if (v.isPresent()) {
                variants.computeIfAbsent(v.get().graph(), g -> new ArrayList<>()).add(v.get());
            } else {
                other.add(name);
            }
        }
        variants.values().forEach(list -> list.sort(Comparator
                .comparingInt((GraphVariant v) -> v.graph().stems().indexOf(v.stem()))
                .thenComparingInt(v -> v.dtype().ordinal())
                .thenComparingInt(v -> v.dtype().suffixes().indexOf(v.suffix()))));
        return new OnnxFolderContents(onnxDir, variants, other);
    }

    private static Optional<GraphVariant> parse(Path onnxDir, String fileName) {
        String base = fileName.substring(0, fileName.length() - ".onnx".length());
        for (OnnxGraph graph : OnnxGraph.values()) {
            for (String stem : graph.stems()) {
                if (!base.startsWith(stem)) {
                    continue;
                }
                Optional<OnnxDtype> dtype = OnnxDtype.bySuffix(base.substring(stem.length()));
                if (dtype.isPresent()) {
                    return Optional.of(new GraphVariant(graph, stem, base.substring(stem.length()), dtype.get(), onnxDir.resolve(fileName)));
                }
            }
        }
        return Optional.empty();
    }

    /** The variants of {@code graph}; empty when the folder has none. */
    public List<GraphVariant> of(OnnxGraph graph) {
        return variants.getOrDefault(graph, List.of());
    }

    /** The file of {@code graph} in exactly {@code dtype}: the canonical stem before an alias, then the dtype's preferred suffix. */
    public Optional<GraphVariant> find(OnnxGraph graph, OnnxDtype dtype) {
        return of(graph).stream().filter(v -> v.dtype() == dtype).findFirst();
    }

    /**
     * The files present, compactly and in graph order, e.g.
     * {@code vision_encoder{,_fp16,_q4}, embed_tokens{,_fp16}, decoder_model_merged_q4, other.onnx}
     * ({@code {,_fp16}} is the file without suffix and the {@code _fp16} one); "no .onnx files" when empty.
     */
    public String describe() {
        StringJoiner all = new StringJoiner(", ");
        for (OnnxGraph graph : OnnxGraph.values()) {
            Map<String, List<String>> suffixesByStem = new LinkedHashMap<>();
            for (GraphVariant v : of(graph)) {
                suffixesByStem.computeIfAbsent(v.stem(), s -> new ArrayList<>()).add(v.suffix());
            }
            suffixesByStem.forEach((stem, suffixes) -> all.add(suffixes.size() == 1
                    ? stem + suffixes.get(0)
                    : stem + "{" + String.join(",", suffixes) + "}"));
        }
        otherFiles.forEach(all::add);
        return all.length() == 0 ? "no .onnx files" : all.toString();
    }
}
