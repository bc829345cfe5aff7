package io.vlmstreams.inference.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * A NumPy array held in memory: its dtype in NumPy's short form ({@code float32}, {@code float64},
 * {@code int64}, {@code int32}, {@code uint8}, {@code bool}), its shape, and its elements in C order
 * as little-endian bytes ({@code data} is shared, not copied: treat it as read-only). Accessors
 * convert to fresh Java arrays.
 */
public record NpyArray(String dtype, long[] shape, byte[] data) {

    public NpyArray {
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        long expected = Math.multiplyExact(n, (long) itemSize(dtype));
        if (data.length != expected) {
            throw new IllegalArgumentException(
                    "dtype " + dtype + " shape " + Arrays.toString(shape) + " needs " + expected + " bytes, got " + data.length);
        }
    }

    /** Bytes per element of a supported dtype. */
    public static int itemSize(String dtype) {
        return switch (dtype) {
            case "float32", "int32" -> 4;
            case "float64", "int64" -> 8;
            case "uint8", "bool" -> 1;
            default -> throw new IllegalArgumentException("unsupported dtype " + dtype);
        };
    }

    public static NpyArray ofFloat32(float[] values, long... shape) {
        ByteBuffer b = buffer(values.length * 4L);
        b.asFloatBuffer().put(values);
        return new NpyArray("float32", shape, b.array());
    }

    public static NpyArray ofFloat64(double[] values, long... shape) {
        ByteBuffer b = buffer(values.length * 8L);
        b.asDoubleBuffer().put(values);
        return new NpyArray("float64", shape, b.array());
    }

    public static NpyArray ofInt64(long[] values, long... shape) {
        ByteBuffer b = buffer(values.length * 8L);
        b.asLongBuffer().put(values);
        return new NpyArray("int64", shape, b.array());
    }

    public static NpyArray ofInt32(int[] values, long... shape) {
        ByteBuffer b = buffer(values.length * 4L);
        b.asIntBuffer().put(values);
        return new NpyArray("int32", shape, b.array());
    }

    public static NpyArray ofUint8(byte[] values, long... shape) {
        return new NpyArray("uint8", shape, values.clone());
    }

    public static NpyArray ofBool(boolean[] values, long... shape) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) (values[i] ? 1 : 0);
        }
        return new NpyArray("bool", shape, b);
    }

    /** Number of elements (product of the shape). */
    public long size() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Elements as float32; float64 values are narrowed, integer types converted. */
    public float[] asFloats() {
        if (dtype.equals("float32")) {
            float[] out = new float[count()];
            view().asFloatBuffer().get(out);
            return out;
        }
        double[] d = asDoubles();
        float[] out = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = (float) d[i];
        }
        return out;
    }

    /** Elements as float64 (every dtype converts exactly except int64 beyond 2^53). */
    public double[] asDoubles() {
        int n = count();
        double[] out = new double[n];
        ByteBuffer v = view();
        switch (dtype) {
            case "float64" -> v.asDoubleBuffer().get(out);
            case "float32" -> { for (int i = 0; i < n; i++) out[i] = v.getFloat(i * 4); }
            case "int64" -> { for (int i = 0; i < n; i++) out[i] = v.getLong(i * 8); }
            case "int32" -> { for (int i = 0; i < n; i++) out[i] = v.getInt(i * 4); }
            case "uint8", "bool" -> { for (int i = 0; i < n; i++) out[i] = data[i] & 0xFF; }
            default -> throw new IllegalStateException(dtype);
        }
        return out;
    }

    /** Elements as int64; only integer and bool dtypes. */
    public long[] asLongs() {
        int n = count();
        long[] out = new long[n];
        ByteBuffer v = view();
        switch (dtype) {
            case "int64" -> v.asLongBuffer().get(out);
            case "int32" -> { for (int i = 0; i < n; i++) out[i] = v.getInt(i * 4); }
            case "uint8", "bool" -> { for (int i = 0; i < n; i++) out[i] = data[i] & 0xFF; }
            default -> throw new IllegalStateException("not an integer dtype: " + dtype);
        }
        return out;
    }

    /** Elements as int32; only integer and bool dtypes (int64 must fit). */
    public int[] asInts() {
        long[] l = asLongs();
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            out[i] = Math.toIntExact(l[i]);
        }
        return out;
    }

    /** Raw bytes of a uint8 or bool array. */
    public byte[] asBytes() {
        if (!dtype.equals("uint8") && !dtype.equals("bool")) {
            throw new IllegalStateException("not a byte dtype: " + dtype);
        }
        return data.clone();
    }

    /** Elements of a bool (or integer) array as booleans: non-zero is true. */
    public boolean[] asBooleans() {
        long[] l = asLongs();
        boolean[] out = new boolean[l.length];
        for (int i = 0; i < l.length; i++) {
            out[i] = l[i] != 0;
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NpyArray a && dtype.equals(a.dtype) && Arrays.equals(shape, a.shape) && Arrays.equals(data, a.data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * dtype.hashCode() + Arrays.hashCode(shape)) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "NpyArray[" + dtype + " " + Arrays.toString(shape) + "]";
    }

    private int count() {
        return Math.toIntExact(size());
    }

    private ByteBuffer view() {
        return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static ByteBuffer buffer(long bytes) {
        return ByteBuffer.allocate(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
    }
}
