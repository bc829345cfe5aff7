package io.vlmstreams.devstack.samples;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;

/**
 * The small real photographs shipped as resources next to this class (terms in their
 * {@code LICENSES.md}), read from the classpath so they work from a jar as well as from sources.
 */
public final class SampleImages {

    /** One sample: its file name, media type and bytes. */
    public record Sample(String name, String mediaType, byte[] bytes) { }

    /** The shipped files, in a stable order; resources cannot be listed from a jar, so they are named here. */
    public static final List<String> NAMES = List.of(
            "chelsea.png", "coffee.png", "coins.png", "hubble_deep_field.jpg", "rocket.jpg");

    private SampleImages() {
    }

    /** Every sample, read from the classpath. */
    public static List<Sample> all() {
        return NAMES.stream().map(SampleImages::read).toList();
    }

    /** Writes every sample into {@code dir} under its own name; returns {@code dir}. */
    public static java.nio.file.Path writeTo(java.nio.file.Path dir) {
        try {
            java.nio.file.Files.createDirectories(dir);
            for (Sample s : all()) {
                java.nio.file.Files.write(dir.resolve(s.name()), s.bytes());
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the sample images to " + dir, e);
        }
    }

    /** One sample by file name. */
    public static Sample read(String name) {
        try (InputStream in = SampleImages.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalArgumentException("no sample image " + name + " on the classpath");
            }
            return new Sample(name, mediaType(name), in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read sample image " + name, e);
        }
    }

    /** The media type of a file name by its extension; null when unknown (the service then sniffs). */
    public static String mediaType(String fileName) {
        String lower = fileName.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".png")) {
            return "image/png";
        } else if (lower.endsWith(".jpg") || lower.endsWith(".jpeg")) {
            return "image/jpeg";
        } else if (lower.endsWith(".webp")) {
            return "image/webp";
        } else if (lower.endsWith(".gif")) {
            return "image/gif";
        } else if (lower.endsWith(".bmp")) {
            return "image/bmp";
        }
        return null;
    }
}
