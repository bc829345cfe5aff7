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
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /**
     * The byte size of a Java buffer for {@code elements} values of {@code elementBytes} each. A
     * {@link ByteBuffer} is indexed by {@code int}, so anything past {@link Integer#MAX_VALUE} bytes
     * is refused here with its size rather than overflowing into a negative or short buffer.
     */
    public static int bufferBytes(long elements, int elementBytes) {
        if (elements < 0) {
            throw new IllegalArgumentException("negative element count " + elements);
        }
        long bytes = elements * elementBytes;
        if (elements > Integer.MAX_VALUE || bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
                    "a tensor of %,d values x %d bytes (%,d MiB) is over the 2 GiB a Java buffer can hold",
                    elements, elementBytes, bytes >> 20));
        }
        return (int) bytes;
    }

    /** A direct buffer in native byte order for {@code elements} values of {@code elementBytes} each. */
    public static ByteBuffer direct(long elements, int elementBytes) {
        return ByteBuffer.allocateDirect(bufferBytes(elements, elementBytes)).order(ByteOrder.nativeOrder());
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
            ShortBuffer buf = direct(length, 2).asShortBuffer();
            for (int i = 0; i < length; i++) {
                buf.put(i, Fp16.toFloat16(values[offset + i]));
            }
            return OnnxTensor.createTensor(env, buf, shape, OnnxJavaType.FLOAT16);
        }
        if (type != OnnxJavaType.FLOAT) {
            throw new IllegalArgumentException("unsupported float tensor type " + type);
        }
        FloatBuffer buf = direct(length, 4).asFloatBuffer();
        buf.put(values, offset, length).rewind();
        return OnnxTensor.createTensor(env, buf, shape);
    }

    /** An int64 tensor. */
    public static OnnxTensor longs(OrtEnvironment env, long[] values, long[] shape) throws OrtException {
        check(values.length, shape);
        LongBuffer buf = direct(values.length, 8).asLongBuffer();
        buf.put(values).rewind();
        return OnnxTensor.createTensor(env, buf, shape);
    }

    /** A tensor of zeros of any numeric type (an empty or all-zero cache). */
    public static OnnxTensor zeros(OrtEnvironment env, OnnxJavaType type, long[] shape) throws OrtException {
        return OnnxTensor.createTensor(env, direct(elements(shape), type.size), shape, type);
    }

    /** A copy of raw bytes as a tensor of the given type and shape. */
    public static OnnxTensor fromBytes(OrtEnvironment env, ByteBuffer bytes, OnnxJavaType type, long[] shape) throws OrtException {
        ByteBuffer buf = ByteBuffer.allocateDirect(bytes.remaining()).order(ByteOrder.nativeOrder());
        buf.put(bytes.duplicate()).rewind();
        return OnnxTensor.createTensor(env, buf, shape, type);
    }

    /** A tensor over {@code filled}, a direct buffer from {@link #direct} (ONNX Runtime reads it in place, no copy). */
    public static OnnxTensor wrap(OrtEnvironment env, ByteBuffer filled, OnnxJavaType type, long[] shape) throws OrtException {
        if (!filled.isDirect()) {
            throw new IllegalArgumentException("not a direct buffer");
        }
        return OnnxTensor.createTensor(env, filled.rewind(), shape, type);
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
