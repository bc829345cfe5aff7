package io.vlmstreams.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The images the load-generating commands ({@code soak}, {@code bench}) cycle through. */
public final class SampleImages {

    private SampleImages() {
    }

    /**
     * The bytes of every file in {@code dir}, in name order; with {@code dir} null, the project's
     * {@code fixtures/upstream/images}.
     *
     * @throws IllegalArgumentException when the folder holds no files
     */
    public static List<byte[]> load(Path dir) throws IOException {
        List<byte[]> out = new ArrayList<>();
        for (Path p : files(dir)) {
            out.add(Files.readAllBytes(p));
        }
        return out;
    }

    /**
     * The files in {@code dir} in name order (null: the project's {@code fixtures/upstream/images}),
     * e.g. to hand the same images to another program.
     *
     * @throws IllegalArgumentException when the folder holds no files
     */
    public static List<Path> files(Path dir) throws IOException {
        Path folder = dir != null ? dir : Path.of(System.getProperty("vlm.project.dir", "."), "fixtures/upstream/images");
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
