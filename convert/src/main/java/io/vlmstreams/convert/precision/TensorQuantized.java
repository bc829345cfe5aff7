package io.vlmstreams.convert.precision;

/**
 * A tensor quantized to 8 bits with one scale and zero point for all of it (ONNX linear
 * quantization: value = (level - zeroPoint) * scale), the weight form {@code MatMulInteger}
 * takes. {@code signed}: levels are int8, otherwise uint8.
 */
public record TensorQuantized(byte[] data, float scale, int zeroPoint, boolean signed) {

    /** The stored level of value {@code i}. */
    public int level(int i) {
        return signed ? data[i] : data[i] & 0xff;
    }

    /** (level - zeroPoint) * scale of value {@code i}. */
    public float dequantize(int i) {
        return (level(i) - zeroPoint) * scale;
    }
}
