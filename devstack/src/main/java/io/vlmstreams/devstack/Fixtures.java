package io.vlmstreams.devstack;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The repository's {@code fixtures/} folder, for tests of every module: the {@code vlm.fixtures.dir}
 * property (set by surefire), else the nearest folder above the working directory holding
 * {@code fixtures/upstream}.
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

    /** One of the upstream reference photos, {@code fixtures/upstream/images/<name>}. */
    public static Path image(String name) {
        return upstream().resolve("images").resolve(name);
    }

    /** The tiny upstream LFM2-VL checkpoint with its tokenizer, configs and reference outputs. */
    public static Path tinyCheckpoint() {
        return upstream().resolve("tiny-lfm2vl");
    }

    /** The tiny checkpoint converted to the onnx-community layout in fp32 ({@code fixtures/tiny-onnx}). */
    public static Path tinyOnnx() {
        return dir().resolve("tiny-onnx");
    }
}
