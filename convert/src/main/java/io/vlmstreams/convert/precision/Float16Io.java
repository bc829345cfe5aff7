package io.vlmstreams.convert.precision;

import java.util.Set;

/**
 * What an fp16 conversion does to a graph's activations and interface.
 *
 * @param activations false: only large weights become float16 (behind Casts back to float32), so
 *                    every activation, input and output stays float32: transformers.js's
 *                    {@code _fp16} with {@code keep_io_types}. true: every float tensor becomes
 *                    float16 (weights, activations, inputs, outputs, caches) except the inputs and
 *                    outputs named in {@code float32Io}, which keep float32 behind a Cast:
 *                    Liquid AI's {@code _fp16}.
 */
public record Float16Io(boolean activations, Set<String> float32Io) {

    /** float16 weights, float32 everything else (onnx-community). */
    public static final Float16Io KEEP_FLOAT32 = new Float16Io(false, Set.of());

    /** float16 activations, inputs and caches; {@code logits} float32 (Liquid AI). */
    public static final Float16Io FULL = full("logits");

    public Float16Io {
        float32Io = Set.copyOf(float32Io);
    }

    /** float16 activations and interface, except the named inputs and outputs. */
    public static Float16Io full(String... float32Io) {
        return new Float16Io(true, Set.of(float32Io));
    }
}
