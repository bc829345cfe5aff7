package io.vlmstreams.topology.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Dockerfile's structure: a Maven build stage, a CUDA 12 + cuDNN runtime with Java 17, the jar as entry point. */
class DockerfileTest {

    private static List<String> lines;

    @BeforeAll
    static void read() throws IOException {
        lines = Files.readAllLines(RepositoryFiles.root().resolve("Dockerfile")).stream()
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }

    @Test
    void buildsWithMavenThenRunsOnCudaTwelveWithCudnn() {
        List<String> from = lines.stream().filter(l -> l.startsWith("FROM ")).toList();
        assertThat(from).hasSize(3);
        assertThat(from.get(0)).matches("FROM maven:3\\.\\d+-eclipse-temurin-17 AS build");
        assertThat(from.get(1)).isEqualTo("FROM ${RUNTIME_BASE} AS runtime");
        // the default base is CUDA's; the CPU build swaps it for a plain Ubuntu by build argument
        assertThat(lines.stream().filter(l -> l.startsWith("ARG RUNTIME_BASE=")).findFirst().orElseThrow())
                .matches("ARG RUNTIME_BASE=nvidia/cuda:12\\.[0-9.]+-cudnn-runtime-ubuntu[0-9.]+");
        assertThat(from.get(2)).isEqualTo("FROM runtime AS cli");
    }

    @Test
    void buildStagePackagesWithoutTestsAndHidesNoFailure() {
        assertThat(lines).anyMatch(l -> l.startsWith("RUN ") && l.contains("mvn ") && l.contains("-DskipTests") && l.contains("package"));
        // `|| true` once hid failed dependency downloads; nothing may swallow a failing step
        assertThat(lines).noneMatch(l -> l.contains("|| true") || l.contains("go-offline"));
        // every module the reactor builds is in the context, the cli's sources too (the cli stage copies its jar)
        for (String module : List.of("schemas", "inference", "convert", "devstack", "topology", "cli")) {
            assertThat(lines).contains("COPY " + module + " " + module);
        }
    }

    @Test
    void theAppImageHasAHealthcheckAndTheCliImageNone() {
        assertThat(lines).anyMatch(l -> l.startsWith("CMD [\"java\"") && l.contains("io.vlmstreams.topology.ops.HealthProbe")
                && l.contains("/health/ready"));
        assertThat(lines).contains("HEALTHCHECK NONE");
    }

    @Test
    void dockerignoreKeepsModelsAndBuildOutputOut() throws IOException {
        List<String> ignored = Files.readAllLines(RepositoryFiles.root().resolve(".dockerignore")).stream()
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertThat(ignored).contains("models", "**/target", ".git", ".vlm");
        assertThat(ignored).noneMatch(l -> List.of("pom.xml", ".mvn", "cli", "topology", "schemas").contains(l));
    }

    @Test
    void runtimeInstallsJava17AndCopiesTheJarWithItsLibs() {
        assertThat(lines).anyMatch(l -> l.contains("openjdk-17-jre-headless"));
        assertThat(lines).anyMatch(l -> l.matches("COPY --from=build /src/topology/target/lib/ /app/lib/"));
        assertThat(lines).anyMatch(l -> l.matches("COPY --from=build /src/topology/target/vlm-streams-app.jar /app/vlm-streams-app.jar"));
    }

    @Test
    void entryPointRunsTheJarAndExposesMetrics() {
        assertThat(lines).anyMatch(l -> l.startsWith("ENTRYPOINT [") && l.contains("\"java\", \"-jar\", \"/app/vlm-streams-app.jar\""));
        assertThat(lines).contains("CMD [\"--config\", \"/etc/vlm-streams/application.properties\"]");
        assertThat(lines).contains("EXPOSE 9404");
        assertThat(lines).anyMatch(l -> l.startsWith("USER ") && !l.equals("USER root"));
    }
}
