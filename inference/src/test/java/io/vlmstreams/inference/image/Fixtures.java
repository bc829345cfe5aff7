package io.vlmstreams.inference.image;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the repository's {@code fixtures/} folder: system property {@code vlm.fixtures.dir}, else walk up from user.dir. */
final class Fixtures {

    private Fixtures() {
    }

    static Path dir() {
        String prop = System.getProperty("vlm.fixtures.dir");
        if (prop != null && Files.isDirectory(Path.of(prop))) {
            return Path.of(prop);
        }
        for (Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("fixtures"))) {
                return p.resolve("fixtures");
            }
        }
        throw new IllegalStateException("no fixtures/ folder: set -Dvlm.fixtures.dir");
    }

    static Path upstream() {
        return dir().resolve("upstream");
    }
}
