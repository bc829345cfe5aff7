package io.vlmstreams.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.vlmstreams.devstack.samples.SampleImages;

/**
 * The images the load-generating commands ({@code soak}, {@code bench}) cycle through: the files of a
 * folder the user names, else the sample photographs shipped with the dev stack.
 */
final class ImageFolder {

    private ImageFolder() {
    }

    /** The bytes of every file {@link #files} lists. */
    static List<byte[]> load(Path dir) throws IOException {
        List<byte[]> out = new ArrayList<>();
        for (Path p : files(dir)) {
            out.add(Files.readAllBytes(p));
        }
        return out;
    }

    /**
     * The files in {@code dir} in name order; with {@code dir} null, the shipped samples written to a
     * temporary folder (another program, transformers.js, reads the same files).
     *
     * @throws IllegalArgumentException when the folder holds no files
     */
    static List<Path> files(Path dir) throws IOException {
        Path folder = dir != null ? dir : SampleImages.writeTo(Files.createTempDirectory("vlm-samples-"));
        List<Path> out;
        try (Stream<Path> files = Files.list(folder)) {
            out = files.filter(Files::isRegularFile).sorted().toList();
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no images in " + folder);
        }
        return out;
    }
}
