package io.vlmstreams.cli.hub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * A plain folder with the downloaded files ({@code --out DIR}), for tools and containers that do not read the
 * cache: each large file (a graph, its weights) a hard link to its cached blob where the file system allows (no
 * second copy of gigabytes, and the folder survives a cache clean-up), a copy otherwise; small files (configs,
 * tokenizer) are always copied, so editing one in the folder cannot change the cache.
 */
public final class LocalFolder {

    private static final long LINK_ABOVE = 16L << 20;

    private LocalFolder() {
    }

    /** Places {@code files} of {@code snapshot} under {@code out}; a file already there with the same size is kept. */
    public static void materialise(Path snapshot, List<RepoFile> files, Path out) {
        for (RepoFile file : files) {
            Path source = snapshot.resolve(file.path());
            Path target = out.resolve(file.path());
            try {
                if (Files.isRegularFile(target) && !Files.isSymbolicLink(target) && Files.size(target) == file.size()) {
                    continue;
                }
                Files.createDirectories(target.getParent());
                Files.deleteIfExists(target);
                Path blob = source.toRealPath();
                try {
                    if (file.size() < LINK_ABOVE) {
                        throw new FileSystemException(target.toString(), null, "small file: copied");
                    }
                    Files.createLink(target, blob);
                } catch (UnsupportedOperationException | FileSystemException e) {
                    Files.copy(blob, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
            }
        }
    }
}
