package io.vlmstreams.convert.precision;

import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.vlmstreams.inference.onnx.Fp16;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/** Reading and writing the values of ONNX initializers, as the precision passes need them. */
public final class Tensors {

    private Tensors() {
    }

    /** Number of values of {@code t} (1 for a scalar). */
    public static long elementCount(TensorProto t) {
        long n = 1;
        for (long d : t.getDimsList()) {
            n *= d;
        }
        return n;
    }

    /** Whether {@code t} is a float32 tensor whose values are in the proto (not in external data). */
    public static boolean isInlineFloat(TensorProto t) {
        return t.getDataType() == TensorProto.DataType.FLOAT_VALUE
                && t.getDataLocation() != TensorProto.DataLocation.EXTERNAL;
    }

    /** The float32 values of {@code t}, from raw_data or float_data; a read-only view where possible. */
    public static FloatBuffer floats(TensorProto t) {
        if (t.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
            throw new IllegalArgumentException("tensor '" + t.getName() + "' is not float32");
        }
        if (!t.getRawData().isEmpty()) {
            return t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        }
        FloatBuffer fb = FloatBuffer.allocate(t.getFloatDataCount());
        t.getFloatDataList().forEach(fb::put);
        return fb.flip();
    }

    /** The float32 values of {@code t} as an array. */
    public static float[] floatArray(TensorProto t) {
        FloatBuffer b = floats(t);
        float[] out = new float[b.remaining()];
        b.get(out);
        return out;
    }

    /** A float32 initializer. */
    public static TensorProto floatTensor(String name, float[] values, long... dims) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        return tensor(name, TensorProto.DataType.FLOAT_VALUE, buf.array(), dims);
    }

    /** An initializer of 8-bit values ({@code UINT8} or {@code INT8}). */
    public static TensorProto byteTensor(String name, int dataType, byte[] values, long... dims) {
        return tensor(name, dataType, values, dims);
    }

    /** The largest finite float16. */
    public static final float MAX_HALF = 65504f;

    /**
     * {@code t}'s float32 values as a float16 initializer named {@code name}; values beyond float16's
     * range are clamped to +-{@value #MAX_HALF} (so a -FLT_MAX mask stays finite), as onnxruntime's
     * {@code float16.convert_float_to_float16} does.
     */
    public static TensorProto toHalf(TensorProto t, String name) {
        FloatBuffer values = floats(t);
        short[] bits = new short[values.remaining()];
        for (int i = 0; i < bits.length; i++) {
            float v = values.get(i);
            bits[i] = Fp16.toFloat16(v > MAX_HALF ? MAX_HALF : v < -MAX_HALF ? -MAX_HALF : v);
        }
        return halfTensor(name, bits, t.getDimsList());
    }

    /** An initializer of float16 values given as IEEE binary16 bits. */
    public static TensorProto halfTensor(String name, short[] bits, Iterable<Long> dims) {
        ByteBuffer buf = ByteBuffer.allocate(bits.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        buf.asShortBuffer().put(bits);
        return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT16_VALUE)
                .addAllDims(dims).setRawData(wrap(buf.array())).build();
    }

    private static TensorProto tensor(String name, int dataType, byte[] raw, long... dims) {
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(dataType);
        for (long d : dims) {
            b.addDims(d);
        }
        return b.setRawData(wrap(raw)).build();
    }

    // the arrays are never touched again, so wrapping them saves a copy of the largest weights
    private static ByteString wrap(byte[] bytes) {
        return UnsafeByteOperations.unsafeWrap(bytes);
    }
}
