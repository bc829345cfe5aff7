package io.vlmstreams.topology.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Temporary and state folders: made for a run, removed after it (by {@code run}, the sandbox and the benches). */
public final class StateFolders {

    private StateFolders() {
    }

    /** Deletes {@code dir} and everything in it; a leftover is harmless, so failures are ignored. */
    public static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }

    /** A new temporary folder named with {@code prefix}. */
    public static Path createTemp(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot create a temporary folder: " + e.getMessage(), e);
        }
    }
}
