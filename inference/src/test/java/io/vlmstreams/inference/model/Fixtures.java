package io.vlmstreams.inference.model;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates {@code fixtures/} for tests: the {@code vlm.fixtures.dir} property, else walking up from the working directory. */
public final class Fixtures {

    private Fixtures() {
    }

    public static Path dir() {
        String prop = System.getProperty("vlm.fixtures.dir");
        if (prop != null && Files.isDirectory(Path.of(prop))) {
            return Path.of(prop);
        }
        for (Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath(); p != null; p = p.getParent()) {
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

    /** The tiny upstream checkpoint with its tokenizer, template and reference generations. */
    public static Path tinyModel() {
        return upstream().resolve("tiny-lfm2vl");
    }
}
