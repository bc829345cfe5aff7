package io.vlmstreams.cli.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The image each service of the repository's docker-compose.yml runs, so container tests run the same ones. */
final class ComposeImages {

    private static JsonNode services;

    private ComposeImages() {
    }

    /** The {@code image:} of {@code service}, e.g. {@code apache/kafka:4.1.1} for {@code kafka}. */
    static synchronized String of(String service) {
        if (services == null) {
            services = read(composeFile()).get("services");
        }
        JsonNode image = services.path(service).path("image");
        if (!image.isTextual()) {
            throw new IllegalStateException("docker-compose.yml has no image for service " + service);
        }
        return image.asText();
    }

    private static JsonNode read(Path file) {
        try {
            return new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static Path composeFile() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("docker-compose.yml"))) {
                return dir.resolve("docker-compose.yml");
            }
        }
        throw new IllegalStateException("docker-compose.yml not found above " + Path.of("").toAbsolutePath());
    }
}
