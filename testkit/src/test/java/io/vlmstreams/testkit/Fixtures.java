package io.vlmstreams.testkit;

import io.vlmstreams.inference.io.Npy;
import io.vlmstreams.inference.io.NpyArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The repository's {@code fixtures/} folder for testkit tests: the {@code vlm.fixtures.dir} property (set by
 * surefire), else the nearest folder above the working directory holding {@code fixtures/upstream}.
 */
public final class Fixtures {

    private Fixtures() {
    }

    /** {@code fixtures/}. */
    public static Path dir() {
        String prop = System.getProperty("vlm.fixtures.dir");
        if (prop != null && Files.isDirectory(Path.of(prop))) {
            return Path.of(prop);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("fixtures/upstream"))) {
                return p.resolve("fixtures");
            }
        }
        throw new IllegalStateException("fixtures/ not found: set -Dvlm.fixtures.dir");
    }

    /** {@code fixtures/upstream}: the copy of the upstream reference data. */
    public static Path upstream() {
        return dir().resolve("upstream");
    }

    /** The tiny upstream LFM2-VL checkpoint with its tokenizer, configs and reference outputs. */
    public static Path tinyCheckpoint() {
        return upstream().resolve("tiny-lfm2vl");
    }

    /** The tiny checkpoint's {@code reference_tensors.npz}, keyed {@code <image>/<tensor>}. */
    public static Map<String, NpyArray> tinyReferenceTensors() throws IOException {
        return Npy.readNpz(tinyCheckpoint().resolve("reference_tensors.npz"));
    }
}
