package io.vlmstreams.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import picocli.CommandLine.Option;

/**
 * Options every Kafka-facing command shares: broker, registry and pass-through client settings
 * ({@code security.protocol}, {@code sasl.*}, {@code ssl.*}, registry credentials ...), given as
 * {@code --set key=value} or in a {@code --client-config} properties file.
 */
public final class ClientOptions {

    @Option(names = "--bootstrap", description = "Kafka bootstrap servers.")
    String bootstrap;

    @Option(names = "--registry", description = "Schema registry URL (http(s)://... or mock://scope).")
    String registry;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "A client setting; repeatable.")
    List<String> settings = new ArrayList<>();

    @Option(names = "--client-config", paramLabel = "FILE", description = "Properties file of client settings.")
    Path clientConfig;

    /**
     * Whether {@link #extraSettings()} refuses keys the clients do not define: {@code run} turns that off,
     * since its settings also take the application's own keys, which {@code AppConfig} checks.
     */
    boolean checkKeys = true;

    /** The pass-through settings: the file's first, then {@code --set} ones. */
    Map<String, String> extraSettings() {
        Map<String, String> out = rawSettings();
        if (checkKeys) {
            try {
                io.vlmstreams.topology.config.ClientKeys.check(out.keySet());
            } catch (org.apache.kafka.common.config.ConfigException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }
        return out;
    }

    private Map<String, String> rawSettings() {
        Map<String, String> out = new LinkedHashMap<>();
        if (clientConfig != null) {
            Properties props = new Properties();
            try (Reader reader = Files.newBufferedReader(clientConfig)) {
                props.load(reader);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read --client-config " + clientConfig + ": " + e.getMessage(), e);
            }
            props.stringPropertyNames().forEach(k -> out.put(k, props.getProperty(k).trim()));
        }
        for (String s : settings) {
            int eq = s.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--set expects key=value, got '" + s + "'");
            }
            out.put(s.substring(0, eq).trim(), s.substring(eq + 1).trim());
        }
        return out;
    }

    /** {@code bootstrap.servers} and {@code schema.registry.url}, those of them given. */
    Map<String, String> connection() {
        Map<String, String> out = new LinkedHashMap<>();
        if (bootstrap != null) {
            out.put("bootstrap.servers", bootstrap);
        }
        if (registry != null) {
            out.put("schema.registry.url", registry);
        }
        return out;
    }

    /** Refuses a registry URL without its scheme ({@code localhost:8081}) before anything connects. */
    static void checkRegistryScheme(String registry) {
        for (String url : registry.split(",")) {
            String u = url.trim().toLowerCase(java.util.Locale.ROOT);
            if (!(u.startsWith("http://") || u.startsWith("https://") || u.startsWith("mock://"))) {
                throw new IllegalArgumentException("--registry " + url.trim()
                        + " needs a scheme: http://, https:// or mock:// (e.g. --registry http://" + url.trim() + ")");
            }
        }
    }

    /** Settings for a Kafka client or serde: pass-through settings plus the broker and registry. */
    Map<String, Object> clientConfigs() {
        if (bootstrap == null || registry == null) {
            throw new IllegalArgumentException("--bootstrap and --registry are required");
        }
        checkRegistryScheme(registry);
        Map<String, Object> out = new LinkedHashMap<>(extraSettings());
        out.putAll(connection());
        return out;
    }
}
