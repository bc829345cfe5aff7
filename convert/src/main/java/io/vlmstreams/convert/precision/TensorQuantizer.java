package io.vlmstreams.convert.precision;

/**
 * Per-tensor 8-bit weight quantization as ONNX Runtime's {@code quantize_dynamic} computes it
 * ({@code quant_utils.compute_scale_zp} and {@code quantize_nparray}): the range is widened to
 * include 0; uint8 is asymmetric over [0, 255] with zero point round(-min / scale); int8 is
 * symmetric over [-127, 127] with zero point 0; levels are round-half-even(v / scale) + zero point,
 * clamped. A tensor of zeros gets scale 1.
 */
public final class TensorQuantizer {

    private TensorQuantizer() {
    }

    /** Asymmetric uint8 levels for {@code values}. */
    public static TensorQuantized uint8(float[] values) {
        return quantize(values, false);
    }

    /** Symmetric int8 levels for {@code values}. */
    public static TensorQuantized int8(float[] values) {
        return quantize(values, true);
    }

    private static TensorQuantized quantize(float[] values, boolean signed) {
        float min = 0f;
        float max = 0f;
        for (float v : values) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        int qmin = signed ? -127 : 0;
        int qmax = signed ? 127 : 255;
        if (signed) {
            float absMax = Math.max(Math.abs(min), Math.abs(max));
            min = -absMax;
            max = absMax;
        }
        // ORT divides in float64 and keeps the scale as float32
        double wide = ((double) max - (double) min) / (qmax - qmin);
        float scale;
        int zeroPoint;
        if (wide < Float.MIN_NORMAL) {
            scale = 1f;
            zeroPoint = 0;
        } else {
            zeroPoint = signed ? 0 : (int) Math.rint(qmin - min / wide);
            scale = (float) wide;
        }
        byte[] data = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            int level = (int) Math.rint(values[i] / scale) + zeroPoint;
            data[i] = (byte) Math.max(qmin, Math.min(qmax, level));
        }
        return new TensorQuantized(data, scale, zeroPoint, signed);
    }
}
