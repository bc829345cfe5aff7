package io.vlmstreams.inference.model;

import java.util.List;
import java.util.Locale;

/**
 * The weight precisions of onnx-community style exports and the file-name suffixes that carry them
 * ({@code decoder_model_merged_q4.onnx}). Where exporters disagree on a name, {@link #suffixes()}
 * lists the candidates in order of preference.
 */
public enum OnnxDtype {
    FP32("fp32", ""),
    FP16("fp16", "_fp16"),
    // LiquidAI's own exports name 8-bit graphs _q8, transformers.js names them _quantized.
    Q8("q8", "_q8", "_quantized"),
    INT8("int8", "_int8"),
    UINT8("uint8", "_uint8"),
    Q4("q4", "_q4"),
    Q4F16("q4f16", "_q4f16"),
    BNB4("bnb4", "_bnb4");

    private final String label;
    private final List<String> suffixes;

    OnnxDtype(String label, String... suffixes) {
        this.label = label;
        this.suffixes = List.of(suffixes);
    }

    /** The name used in dtype settings, e.g. {@code q4f16}. */
    public String label() {
        return label;
    }

    /** File-name suffixes before {@code .onnx}, most preferred first. */
    public List<String> suffixes() {
        return suffixes;
    }

    /** Parses a dtype name (case-insensitive; {@code float32}, {@code float16} and {@code quantized} are aliases). */
    public static OnnxDtype parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        switch (n) {
            case "float32": return FP32;
            case "float16": return FP16;
            case "quantized": return Q8;
            default: break;
        }
        for (OnnxDtype d : values()) {
            if (d.label.equals(n)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown dtype '" + name + "'; known: fp32, fp16, q8, int8, uint8, q4, q4f16, bnb4");
    }

    @Override
    public String toString() {
        return label;
    }
}
