package io.vlmstreams.inference.io;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

/**
 * Reads and writes NumPy {@code .npy} files (format versions 1 to 3, little-endian, C order) and
 * reads {@code .npz} archives (a zip of {@code .npy} members, stored or deflated).
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    /** Reads one {@code .npy} file. */
    public static NpyArray read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in);
        }
    }

    /** Reads one {@code .npy} array from the stream (leaves the stream open, positioned after it). */
    public static NpyArray read(InputStream stream) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        byte[] magic = new byte[6];
        in.readFully(magic);
        for (int i = 0; i < MAGIC.length; i++) {
            if (magic[i] != MAGIC[i]) {
                throw new IOException("not a .npy stream (bad magic)");
            }
        }
        int major = in.readUnsignedByte();
        in.readUnsignedByte(); // minor version: no effect on the layout
        long headerLength;
        if (major == 1) {
            headerLength = in.readUnsignedByte() | (in.readUnsignedByte() << 8);
        } else if (major == 2 || major == 3) {
            headerLength = (in.readUnsignedByte() | (in.readUnsignedByte() << 8) | (in.readUnsignedByte() << 16))
                    | ((long) in.readUnsignedByte() << 24);
        } else {
            throw new IOException("unsupported .npy format version " + major);
        }
        if (headerLength > 1 << 20) {
            throw new IOException(".npy header too long: " + headerLength);
        }
        byte[] header = new byte[(int) headerLength];
        in.readFully(header);
        // version 3 allows UTF-8 in the header; 1 and 2 are Latin-1 (ASCII in practice)
        String text = new String(header, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        String dtype = dtypeOf(match(DESCR, text, "descr"));
        if (match(FORTRAN, text, "fortran_order").equals("True")) {
            throw new IOException("Fortran-ordered .npy arrays are not supported");
        }
        long[] shape = parseShape(match(SHAPE, text, "shape"));
        long count = 1;
        for (long d : shape) {
            count = Math.multiplyExact(count, d);
        }
        long bytes = Math.multiplyExact(count, (long) NpyArray.itemSize(dtype));
        if (bytes > Integer.MAX_VALUE - 16) {
            throw new IOException(".npy array too large for one Java array: " + bytes + " bytes");
        }
        byte[] data = new byte[(int) bytes];
        try {
            in.readFully(data);
        } catch (EOFException e) {
            throw new IOException(".npy data truncated: expected " + bytes + " bytes", e);
        }
        return new NpyArray(dtype, shape, data);
    }

    /** Writes one array as a version 1.0 {@code .npy} file. */
    public static void write(Path file, NpyArray array) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
            write(out, array);
        }
    }

    /** Writes one array as version 1.0 {@code .npy} bytes to the stream (does not close it). */
    public static void write(OutputStream out, NpyArray array) throws IOException {
        StringBuilder dict = new StringBuilder("{'descr': '").append(descrOf(array.dtype()))
                .append("', 'fortran_order': False, 'shape': (");
        long[] shape = array.shape();
        for (int i = 0; i < shape.length; i++) {
            dict.append(shape[i]).append(shape.length == 1 ? "," : (i + 1 < shape.length ? ", " : ""));
        }
        dict.append("), }");
        // NumPy pads the header with spaces so the data starts on a 64-byte boundary, ending in '\n'
        int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
        int pad = (64 - unpadded % 64) % 64;
        dict.append(" ".repeat(pad)).append('\n');
        byte[] header = dict.toString().getBytes(StandardCharsets.ISO_8859_1);
        if (header.length > 0xFFFF) {
            throw new IOException("shape too long for a version 1.0 header");
        }
        out.write(MAGIC);
        out.write(1);
        out.write(0);
        out.write(header.length & 0xFF);
        out.write(header.length >>> 8);
        out.write(header);
        out.write(array.data());
    }

    /** Serializes one array to {@code .npy} bytes. */
    public static byte[] toBytes(NpyArray array) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(array.data().length + 128);
        try {
            write(out, array);
        } catch (IOException e) {
            throw new IllegalStateException("in-memory write failed", e);
        }
        return out.toByteArray();
    }

    /** Reads every member of an {@code .npz} file, keyed by member name without the {@code .npy} suffix, in archive order. */
    public static Map<String, NpyArray> readNpz(Path file) throws IOException {
        Map<String, NpyArray> out = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (ZipEntry e : Collections.list(zip.entries())) {
                if (e.isDirectory()) {
                    continue;
                }
                try (InputStream in = zip.getInputStream(e)) {
                    out.put(memberName(e.getName()), read(in));
                }
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /** Reads every member of an {@code .npz} archive given as a stream (does not close it). */
    public static Map<String, NpyArray> readNpz(InputStream stream) throws IOException {
        Map<String, NpyArray> out = new LinkedHashMap<>();
        ZipInputStream zip = new ZipInputStream(stream);
        for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
            if (!e.isDirectory()) {
                out.put(memberName(e.getName()), read(zip));
            }
            zip.closeEntry();
        }
        return Collections.unmodifiableMap(out);
    }

    private static String memberName(String entry) {
        return entry.endsWith(".npy") ? entry.substring(0, entry.length() - 4) : entry;
    }

    private static String match(Pattern p, String header, String key) throws IOException {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new IOException(".npy header has no '" + key + "': " + header.strip());
        }
        return m.group(1);
    }

    private static long[] parseShape(String inner) throws IOException {
        List<Long> dims = new ArrayList<>();
        for (String part : inner.split(",")) {
            String t = part.strip();
            if (t.isEmpty()) {
                continue;
            }
            if (t.endsWith("L")) { // Python 2 longs
                t = t.substring(0, t.length() - 1);
            }
            try {
                dims.add(Long.parseLong(t));
            } catch (NumberFormatException e) {
                throw new IOException("bad .npy shape: (" + inner + ")", e);
            }
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    private static String dtypeOf(String descr) throws IOException {
        return switch (descr) {
            case "<f4" -> "float32";
            case "<f8" -> "float64";
            case "<i8" -> "int64";
            case "<i4" -> "int32";
            case "|u1", "<u1", "u1" -> "uint8";
            case "|b1", "<b1", "b1" -> "bool";
            default -> throw new IOException("unsupported .npy dtype '" + descr + "' (little-endian f4, f8, i8, i4, u1, b1 only)");
        };
    }

    private static String descrOf(String dtype) {
        return switch (dtype) {
            case "float32" -> "<f4";
            case "float64" -> "<f8";
            case "int64" -> "<i8";
            case "int32" -> "<i4";
            case "uint8" -> "|u1";
            case "bool" -> "|b1";
            default -> throw new IllegalArgumentException("unsupported dtype " + dtype);
        };
    }
}
