package io.vlmstreams.convert;

import java.util.Locale;

/**
 * Weight precision of converted ONNX graphs, with the file-name suffix transformers.js expects for
 * it ({@code vision_encoder.onnx}, {@code vision_encoder_fp16.onnx}). Graph inputs and outputs are
 * float32 in both; see {@link Float16Weights}.
 */
public enum Dtype {
    FP32(""),
    FP16("_fp16");

    private final String suffix;

    Dtype(String suffix) {
        this.suffix = suffix;
    }

    /** Suffix before {@code .onnx}. */
    public String suffix() {
        return suffix;
    }

    /** The name used on the command line and in transformers.js ({@code fp32}, {@code fp16}). */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code fp32} or {@code fp16}, case-insensitive. */
    public static Dtype parse(String text) {
        for (Dtype d : values()) {
            if (d.label().equalsIgnoreCase(text)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown dtype '" + text + "' (expected fp32 or fp16)");
    }
}
