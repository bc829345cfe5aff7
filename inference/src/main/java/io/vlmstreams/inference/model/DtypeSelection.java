package io.vlmstreams.inference.model;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.EnumMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Which precision to load for each ONNX graph. Published folders often ship the graphs in
 * different sets of precisions, so besides one dtype for all graphs a selection may name per-graph
 * dtypes: {@code q4}, {@code vision_encoder=fp16,decoder_model_merged=q4}, or {@code fp16,decoder_model_merged=q4}
 * (a bare entry is the default for graphs not named; without one the default is fp32). Graphs may
 * be named by any of their stems ({@code decoder=q4}).
 *
 * <p>A graph named here is {@linkplain #named(OnnxGraph) asked for by name}: the folder must have it
 * in that dtype. For the others the default is a wish: a folder without that graph in it gets the
 * {@linkplain OnnxDtype#nearest() nearest} precision it has.
 */
public record DtypeSelection(OnnxDtype defaultDtype, Map<OnnxGraph, OnnxDtype> overrides) {

    public DtypeSelection {
        overrides = Map.copyOf(overrides);
    }

    /** The same dtype for every graph. */
    public static DtypeSelection of(OnnxDtype dtype) {
        return new DtypeSelection(dtype, Map.of());
    }

    /** True for a setting that leaves the choice to the folder: blank or {@code auto}. */
    public static boolean isAuto(String spec) {
        return spec == null || spec.isBlank() || spec.trim().equalsIgnoreCase("auto");
    }

    /**
     * The {@code transformers.js_config.dtype} of a config.json: a dtype name for every graph, or an
     * object of per-graph names ({@code {"vision_encoder": "fp16", "decoder_model_merged": "q4"}}).
     * Graphs the object leaves out default to fp32, as in transformers.js.
     */
    public static DtypeSelection fromJson(JsonNode dtype) {
        if (dtype.isTextual()) {
            return parse(dtype.asText());
        }
        if (!dtype.isObject()) {
            throw new IllegalArgumentException("transformers.js_config.dtype must be a string or an object, got " + dtype);
        }
        Map<OnnxGraph, OnnxDtype> perGraph = new EnumMap<>(OnnxGraph.class);
        dtype.fields().forEachRemaining(f -> {
            if (!f.getValue().isTextual()) {
                throw new IllegalArgumentException("transformers.js_config.dtype." + f.getKey() + " must be a dtype name, got " + f.getValue());
            }
            perGraph.put(OnnxGraph.byStem(f.getKey()), OnnxDtype.parse(f.getValue().asText()));
        });
        return new DtypeSelection(OnnxDtype.FP32, perGraph);
    }

    /** Parses a dtype setting as described on the type; errors name the offending entry. */
    public static DtypeSelection parse(String spec) {
        if (spec == null || spec.isBlank()) {
            return of(OnnxDtype.FP32);
        }
        OnnxDtype dflt = null;
        Map<OnnxGraph, OnnxDtype> perGraph = new EnumMap<>(OnnxGraph.class);
        for (String entry : spec.split(",")) {
            String e = entry.trim();
            if (e.isEmpty()) {
                continue;
            }
            int eq = e.indexOf('=');
            if (eq < 0) {
                if (dflt != null) {
                    throw new IllegalArgumentException("dtype '" + spec + "': more than one default dtype");
                }
                dflt = OnnxDtype.parse(e);
            } else {
                OnnxGraph graph = OnnxGraph.byStem(e.substring(0, eq));
                if (perGraph.put(graph, OnnxDtype.parse(e.substring(eq + 1))) != null) {
                    throw new IllegalArgumentException("dtype '" + spec + "': " + graph.stem() + " named twice");
                }
            }
        }
        return new DtypeSelection(dflt == null ? OnnxDtype.FP32 : dflt, perGraph);
    }

    /** The dtype chosen for {@code graph}. */
    public OnnxDtype dtypeOf(OnnxGraph graph) {
        return overrides.getOrDefault(graph, defaultDtype);
    }

    /** True when the selection names {@code graph} itself, so no other precision may stand in for it. */
    public boolean named(OnnxGraph graph) {
        return overrides.containsKey(graph);
    }

    /** Canonical form: the default, then overrides that differ from it, in graph order (e.g. {@code fp16,decoder_model_merged=q4}). */
    @Override
    public String toString() {
        StringJoiner j = new StringJoiner(",");
        j.add(defaultDtype.label());
        for (OnnxGraph g : OnnxGraph.values()) {
            OnnxDtype d = overrides.get(g);
            if (d != null && d != defaultDtype) {
                j.add(g.stem() + "=" + d.label());
            }
        }
        return j.toString();
    }
}
