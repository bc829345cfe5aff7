package io.vlmstreams.inference.model;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What one {@code .onnx} file declares, read from its protobuf without loading its weights: the
 * graph's inputs and outputs with element types and shapes, its operator sets and every node
 * (those of If/Loop/Scan bodies and model-local functions included), and a count of its weights.
 * Initializer data is skipped, not read, so a 2 GB graph with inline weights costs only its nodes;
 * external weight files are named but never opened. See {@link GraphTraits} for what batching reads from it.
 *
 * @param irVersion ONNX IR version of the file
 * @param producer  the exporter, e.g. {@code pytorch 2.9} or {@code onnx.helper}; empty when unset
 * @param opsets    operator set versions by domain ({@value OperatorType#ONNX} for the standard set)
 * @param inputs    graph inputs that are fed at run time (initializers listed as inputs by old exporters are left out)
 * @param initializerDecls element type and dims of each initializer of the main graph and its subgraphs, by name
 *                  (what weight shapes are read from: their data is not)
 */
public record GraphInfo(Path file, long irVersion, String producer, Map<String, Long> opsets,
                        List<TensorDecl> inputs, List<TensorDecl> outputs, List<GraphNode> nodes, Weights weights,
                        Map<String, TensorDecl> initializerDecls) {

    public GraphInfo {
        opsets = Map.copyOf(opsets);
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        nodes = List.copyOf(nodes);
        initializerDecls = Map.copyOf(initializerDecls);
    }

    /** Without initializer shapes (graphs made by hand in tests). */
    public GraphInfo(Path file, long irVersion, String producer, Map<String, Long> opsets,
                     List<TensorDecl> inputs, List<TensorDecl> outputs, List<GraphNode> nodes, Weights weights) {
        this(file, irVersion, producer, opsets, inputs, outputs, nodes, weights, Map.of());
    }

    /** The initializer {@code name}'s element type and dims, if the graph has one of that name. */
    public Optional<TensorDecl> initializer(String name) {
        return Optional.ofNullable(initializerDecls.get(name));
    }

    /**
     * The graph's weights as the file lays them out.
     *
     * @param inlineBytes   bytes of tensor data inside the .onnx file
     * @param externalBytes bytes the file says lie in external data files (where it gives lengths)
     * @param externalFiles the external data files named, relative to the .onnx file
     */
    public record Weights(int initializers, long inlineBytes, long externalBytes, Set<String> externalFiles) {
        public Weights {
            externalFiles = Set.copyOf(externalFiles);
        }
    }

    /** Reads {@code file}; a file that is not an ONNX model is a {@link ModelFolderException} naming it. */
    public static GraphInfo read(Path file) {
        try (InputStream in = new FileInputStream(file.toFile())) {
            return parse(in, file);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new ModelFolderException(file + " is not an ONNX model (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses a ModelProto from {@code in}, skipping tensor data with {@link InputStream#skip} so a
     * seekable stream never reads it; {@code file} only names the result.
     */
    static GraphInfo parse(InputStream in, Path file) throws IOException {
        return new OnnxProtoParser(in).parse(file);
    }

    /** The declared input {@code name}, if the graph has one. */
    public Optional<TensorDecl> input(String name) {
        return inputs.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** The declared output {@code name}, if the graph has one. */
    public Optional<TensorDecl> output(String name) {
        return outputs.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** True when the graph takes an input called {@code name}. */
    public boolean declaresInput(String name) {
        return input(name).isPresent();
    }

    /** How many nodes of each operator the graph has, in domain then name order. */
    public SortedMap<OperatorType, Integer> operatorCounts() {
        SortedMap<OperatorType, Integer> counts = new TreeMap<>();
        nodes.forEach(n -> counts.merge(n.op(), 1, Integer::sum));
        return counts;
    }

    /** The nodes of {@code op}, in file order. */
    public List<GraphNode> nodesOf(OperatorType op) {
        return nodes.stream().filter(n -> n.op().equals(op)).toList();
    }

    /** True when some node is of {@code op}. */
    public boolean uses(OperatorType op) {
        return nodes.stream().anyMatch(n -> n.op().equals(op));
    }

    /**
     * Every value computed, directly or through other nodes, from {@code value} (a graph input's
     * name, typically), {@code value} itself included. Follows the data flow across subgraph
     * boundaries by name, which over-approximates where names are reused in nested scopes.
     */
    public Set<String> derivedFrom(String value) {
        Map<String, List<GraphNode>> consumers = new HashMap<>();
        for (GraphNode n : nodes) {
            for (String in : new TreeSet<>(n.inputs())) {
                if (!in.isEmpty()) {
                    consumers.computeIfAbsent(in, k -> new java.util.ArrayList<>()).add(n);
                }
            }
        }
        Set<String> seen = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of(value));
        seen.add(value);
        while (!todo.isEmpty()) {
            for (GraphNode n : consumers.getOrDefault(todo.poll(), List.of())) {
                for (String out : n.outputs()) {
                    if (!out.isEmpty() && seen.add(out)) {
                        todo.add(out);
                    }
                }
            }
        }
        return seen;
    }

    /** True when the file keeps (some) weights in external data files. */
    public boolean hasExternalData() {
        return !weights.externalFiles().isEmpty();
    }

    /** The external data files the graph names that are not beside it. */
    public List<String> missingExternalData() {
        Path dir = file.toAbsolutePath().getParent();
        return weights.externalFiles().stream().sorted().filter(f -> !Files.isRegularFile(dir.resolve(f))).toList();
    }
}
