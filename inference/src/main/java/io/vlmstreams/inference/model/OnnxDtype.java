package io.vlmstreams.inference.model;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The weight precisions of published LFM2-VL exports and the file-name suffixes that carry them
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

    /**
     * This dtype, then the precisions to take, nearest first, for a graph a folder does not ship in
     * this one (LFM2.5-VL-450M has q4 and q8 decoders but {@code embed_tokens} only in fp32 and fp16).
     * The rule: first the same quantization scheme with another weight or activation type, then the
     * half-precision float graph, then fp32. A quantized choice never falls to another scheme (q4 to q8
     * or back): their errors differ in kind and the user picked one. fp32 and fp16 fall back to each other.
     */
    public List<OnnxDtype> nearest() {
        return switch (this) {
            case FP32 -> List.of(FP32, FP16);
            case FP16 -> List.of(FP16, FP32);
            case Q8 -> List.of(Q8, INT8, UINT8, FP16, FP32);
            case INT8 -> List.of(INT8, Q8, UINT8, FP16, FP32);
            case UINT8 -> List.of(UINT8, Q8, INT8, FP16, FP32);
            case Q4 -> List.of(Q4, Q4F16, FP16, FP32);
            case Q4F16 -> List.of(Q4F16, Q4, FP16, FP32);
            case BNB4 -> List.of(BNB4, FP16, FP32);
        };
    }

    /** The dtype whose suffix {@code suffix} is (e.g. {@code _quantized} is q8), if any. */
    public static Optional<OnnxDtype> bySuffix(String suffix) {
        for (OnnxDtype d : values()) {
            if (d.suffixes.contains(suffix)) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
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
