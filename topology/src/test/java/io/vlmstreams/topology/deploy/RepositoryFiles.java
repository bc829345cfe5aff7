package io.vlmstreams.topology.deploy;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the repository root (the folder holding docker-compose.yml) from the working directory. */
final class RepositoryFiles {

    private RepositoryFiles() {
    }

    static Path root() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("docker-compose.yml")) && Files.isRegularFile(dir.resolve("Dockerfile"))) {
                return dir;
            }
        }
        throw new IllegalStateException("repository root (with docker-compose.yml and Dockerfile) not found above "
                + Path.of("").toAbsolutePath());
    }
}
