package io.vlmstreams.topology.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.apache.kafka.common.config.ConfigException;

/**
 * The model-swap controls ({@code admin.*}, {@code model.dir.file*}; defaults and rules in {@link Settings}).
 *
 * @param modelRoots    folders a swap may load from, absolute and normalized
 * @param modelDirFile  the watched file naming the model folder, or null
 */
public record AdminConfig(boolean enabled, InetSocketAddress bindAddress, String token, List<Path> modelRoots,
                          Path modelDirFile, Duration pollInterval) {

    public AdminConfig {
        modelRoots = List.copyOf(modelRoots);
    }

    static AdminConfig read(SettingValues v, Path modelDir) {
        List<Path> roots = v.list(Settings.ADMIN_MODEL_ROOTS).stream().map(r -> normalized(Path.of(r))).toList();
        if (roots.isEmpty()) {
            Path parent = normalized(modelDir).getParent();
            roots = parent == null ? List.of() : List.of(parent);
        }
        String file = v.string(Settings.MODEL_DIR_FILE);
        String token = v.string(Settings.ADMIN_TOKEN);
        return new AdminConfig(v.bool(Settings.ADMIN_ENABLED), address(v.string(Settings.ADMIN_BIND_ADDRESS)),
                token == null || token.isBlank() ? null : token, roots, file == null ? null : normalized(Path.of(file)),
                Duration.ofMillis(v.longValue(Settings.MODEL_DIR_FILE_POLL_MS)));
    }

    /** Whether a swap may load {@code dir}: it lies inside one of {@link #modelRoots} (after resolving {@code ..}). */
    public boolean allows(Path dir) {
        Path d = normalized(dir);
        return modelRoots.stream().anyMatch(d::startsWith);
    }

    private static Path normalized(Path p) {
        return p.toAbsolutePath().normalize();
    }

    private static InetSocketAddress address(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        try {
            if (colon <= 0) {
                throw new NumberFormatException();
            }
            int port = Integer.parseInt(hostPort.substring(colon + 1));
            if (port < 0 || port > 65_535) {
                throw new NumberFormatException();
            }
            return new InetSocketAddress(hostPort.substring(0, colon), port);
        } catch (NumberFormatException e) {
            throw new ConfigException(Settings.ADMIN_BIND_ADDRESS, hostPort, "give host:port, e.g. 127.0.0.1:9405");
        }
    }

    @Override
    public String toString() {
        return "AdminConfig[enabled=" + enabled + ", bindAddress=" + bindAddress + ", token=" + (token == null ? "(none)" : Redaction.HIDDEN)
                + ", modelRoots=" + modelRoots + ", modelDirFile=" + modelDirFile + ", pollInterval=" + pollInterval + "]";
    }
}
