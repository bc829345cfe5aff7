package io.vlmstreams.inference.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** .npy/.npz against files NumPy wrote (src/test/resources/io, made by make_npy_samples.py). */
class NpyTest {

    @TempDir
    Path tmp;

    @Test
    void readsEveryDtypeFromStoredAndDeflatedArchives() throws IOException {
        for (String name : new String[] {"samples.npz", "samples-compressed.npz"}) {
            Map<String, NpyArray> a = Npy.readNpz(resource(name));
            assertThat(a.get("f4").dtype()).isEqualTo("float32");
            assertThat(a.get("f4").shape()).containsExactly(2, 3);
            assertThat(a.get("f4").asFloats()).containsExactly(1.5f, -2.25f, 3e-8f, Float.POSITIVE_INFINITY, -0.0f, 7.0f);
            assertThat(a.get("f8").asDoubles()).containsExactly(Math.PI, -1e300, 0.1);
            assertThat(a.get("i8").asLongs()).containsExactly(1, -2, 1L << 62, Long.MIN_VALUE);
            assertThat(a.get("i4").asInts()).containsExactly(0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE);
            assertThat(a.get("u1").shape()).containsExactly(2, 2, 2);
            assertThat(a.get("u1").asInts()).containsExactly(0, 31, 62, 93, 124, 155, 186, 217);
            assertThat(a.get("b1").asBooleans()).containsExactly(true, false, true);
            assertThat(a.get("scalar").shape()).isEmpty();
            assertThat(a.get("scalar").asFloats()).containsExactly(4.0f);
            assertThat(a.get("empty").shape()).containsExactly(0, 3);
            assertThat(a.get("empty").asLongs()).isEmpty();
        }
    }

    @Test
    void writesTheSameBytesAsNumPy() throws IOException {
        // Every member of an uncompressed npz is a .npy file exactly as numpy.save writes it.
        Map<String, NpyArray> arrays = Npy.readNpz(resource("samples.npz"));
        try (InputStream in = Files.newInputStream(resource("samples.npz")); ZipInputStream zip = new ZipInputStream(in)) {
            int seen = 0;
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry(), seen++) {
                byte[] numpy = zip.readAllBytes();
                NpyArray a = arrays.get(e.getName().replace(".npy", ""));
                assertThat(Npy.toBytes(a)).as(e.getName()).isEqualTo(numpy);
            }
            assertThat(seen).isEqualTo(8);
        }
    }

    @Test
    void roundTripsThroughFilesAndStreams() throws IOException {
        NpyArray[] arrays = {
            NpyArray.ofFloat32(new float[] {1, 2, 3, 4, 5, 6}, 1, 2, 3),
            NpyArray.ofFloat64(new double[] {-1.25}, 1),
            NpyArray.ofInt64(new long[] {7, 8}, 2, 1),
            NpyArray.ofInt32(new int[] {9}, 1),
            NpyArray.ofUint8(new byte[] {(byte) 255, 0}, 2),
            NpyArray.ofBool(new boolean[] {false, true}, 2),
        };
        for (NpyArray a : arrays) {
            Path f = tmp.resolve(a.dtype() + ".npy");
            Npy.write(f, a);
            assertThat(Npy.read(f)).isEqualTo(a);
            assertThat(Npy.read(new ByteArrayInputStream(Npy.toBytes(a)))).isEqualTo(a);
            assertThat(Files.size(f) % 64).as("data 64-byte aligned").isEqualTo(a.data().length % 64);
        }
        assertThat(arrays[4].asInts()).containsExactly(255, 0);
    }

    @Test
    void readsNpzFromAStream() throws IOException {
        try (InputStream in = Files.newInputStream(resource("samples-compressed.npz"))) {
            assertThat(Npy.readNpz(in).get("i4").asInts()).containsExactly(0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE);
        }
    }

    @Test
    void refusesWhatItCannotRepresent() {
        assertThatThrownBy(() -> Npy.read(new ByteArrayInputStream("nope".getBytes()))).isInstanceOf(IOException.class);
        byte[] bigEndian = Npy.toBytes(NpyArray.ofInt32(new int[] {1}, 1));
        String header = new String(bigEndian, java.nio.charset.StandardCharsets.ISO_8859_1).replace("<i4", ">i4");
        assertThatThrownBy(() -> Npy.read(new ByteArrayInputStream(header.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1))))
                .isInstanceOf(IOException.class).hasMessageContaining(">i4");
        assertThatThrownBy(() -> NpyArray.ofFloat32(new float[3], 2, 2)).isInstanceOf(IllegalArgumentException.class);
    }

    private static Path resource(String name) {
        try {
            return Path.of(NpyTest.class.getResource("/io/" + name).toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
