package io.vlmstreams.cli.sandbox;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * What a sandbox run does.
 *
 * @param model       a model folder; empty looks under {@code ./models/}, then falls back to the synthetic model
 * @param dtype       graph variant of the model ({@code fp32}, {@code fp16}, {@code q4}, ...)
 * @param projectDir  the repository root: where {@code models/} and {@code .vlm/} live
 * @param rounds      how many times every sample image is sent
 * @param metricsPort port of the metrics and health endpoint (0: a free port)
 * @param timeout     how long {@code --once} waits for every answer
 * @param kafkaPort    the broker's port (0: a free port)
 * @param registryPort the registry's port (0: a free port)
 */
public record SandboxOptions(Optional<Path> model, String dtype, Path projectDir, int rounds, int metricsPort,
                             Duration timeout, int kafkaPort, int registryPort) {

    /** Broker and registry on free ports. */
    public SandboxOptions(Optional<Path> model, String dtype, Path projectDir, int rounds, int metricsPort, Duration timeout) {
        this(model, dtype, projectDir, rounds, metricsPort, timeout, 0, 0);
    }

    public SandboxOptions {
        if (rounds < 1) {
            throw new IllegalArgumentException("--count must be at least 1, got " + rounds);
        }
        if (metricsPort < 0 || metricsPort > 65_535) {
            throw new IllegalArgumentException("--metrics-port must be in 0..65535, got " + metricsPort);
        }
        SandboxPorts.check("--kafka-port", kafkaPort);
        SandboxPorts.check("--registry-port", registryPort);
    }
}
