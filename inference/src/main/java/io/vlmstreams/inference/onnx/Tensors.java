package io.vlmstreams.inference.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;

/**
 * Creating and reading tensors. Inputs are copied into direct buffers, which ONNX Runtime uses
 * without another copy; float tensors are converted when a graph declares float16.
 */
public final class Tensors {

    private Tensors() { }

    public static long elements(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** A float tensor of the declared element type (FLOAT or FLOAT16) from float32 values. */
    public static OnnxTensor floats(OrtEnvironment env, float[] values, long[] shape, OnnxJavaType type) throws OrtException {
        return floats(env, values, 0, values.length, shape, type);
    }

    /** As {@link #floats(OrtEnvironment, float[], long[], OnnxJavaType)} from a slice of an array. */
    public static OnnxTensor floats(OrtEnvironment env, float[] values, int offset, int length, long[] shape, OnnxJavaType type)
            throws OrtException {
        check(length, shape);
        if (type == OnnxJavaType.FLOAT16) {
            ShortBuffer buf = ByteBuffer.allocateDirect(length * 2).order(ByteOrder.nativeOrder()).asShortBuffer();
            for (int i = 0; i < length; i++) {
                buf.put(i, Fp16.toFloat16(values[offset + i]));
            }
            return OnnxTensor.createTensor(env, buf, shape, OnnxJavaType.FLOAT16);
        }
        if (type != OnnxJavaType.FLOAT) {
            throw new IllegalArgumentException("unsupported float tensor type " + type);
        }
        FloatBuffer buf = ByteBuffer.allocateDirect(length * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        buf.put(values, offset, length).rewind();
        return OnnxTensor.createTensor(env, buf, shape);
    }

    /** An int64 tensor. */
    public static OnnxTensor longs(OrtEnvironment env, long[] values, long[] shape) throws OrtException {
        check(values.length, shape);
        LongBuffer buf = ByteBuffer.allocateDirect(values.length * 8).order(ByteOrder.nativeOrder()).asLongBuffer();
        buf.put(values).rewind();
        return OnnxTensor.createTensor(env, buf, shape);
    }

    /** A tensor of zeros of any numeric type (an empty or all-zero cache). */
    public static OnnxTensor zeros(OrtEnvironment env, OnnxJavaType type, long[] shape) throws OrtException {
        long bytes = elements(shape) * type.size;
        ByteBuffer buf = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder());
        return OnnxTensor.createTensor(env, buf, shape, type);
    }

    /** A copy of raw bytes as a tensor of the given type and shape. */
    public static OnnxTensor fromBytes(OrtEnvironment env, ByteBuffer bytes, OnnxJavaType type, long[] shape) throws OrtException {
        ByteBuffer buf = ByteBuffer.allocateDirect(bytes.remaining()).order(ByteOrder.nativeOrder());
        buf.put(bytes.duplicate()).rewind();
        return OnnxTensor.createTensor(env, buf, shape, type);
    }

    /** All values of a FLOAT or FLOAT16 tensor as float32. */
    public static float[] readFloats(OnnxTensor tensor) {
        OnnxJavaType type = tensor.getInfo().type;
        if (type == OnnxJavaType.FLOAT) {
            FloatBuffer fb = tensor.getFloatBuffer();
            float[] out = new float[fb.remaining()];
            fb.get(out);
            return out;
        }
        if (type == OnnxJavaType.FLOAT16) {
            ShortBuffer sb = tensor.getShortBuffer();
            float[] out = new float[sb.remaining()];
            for (int i = 0; i < out.length; i++) {
                out[i] = Fp16.fromFloat16(sb.get(i));
            }
            return out;
        }
        throw new IllegalArgumentException("not a float tensor: " + tensor.getInfo());
    }

    private static void check(long length, long[] shape) {
        if (elements(shape) != length) {
            throw new IllegalArgumentException(length + " values do not fill shape " + java.util.Arrays.toString(shape));
        }
    }
}
