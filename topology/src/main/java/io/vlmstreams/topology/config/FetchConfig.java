package io.vlmstreams.topology.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.apache.kafka.common.config.ConfigException;

/**
 * The fetch policy for images by reference ({@code fetch.*}). An empty host allowlist admits any
 * host whose addresses pass the address checks; private, loopback, link-local, multicast and
 * metadata addresses are refused unless {@code allowPrivateAddresses}.
 */
public record FetchConfig(
        Set<String> allowedSchemes,
        List<String> allowedHosts,
        boolean allowPrivateAddresses,
        long maxBytes,
        Duration connectTimeout,
        Duration timeout,
        int maxRedirects) {

    public FetchConfig {
        allowedSchemes = Set.copyOf(allowedSchemes);
        allowedHosts = allowedHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
    }

    /** The defaults: http and https, any public host, 20 MB, 5 s to connect, 15 s in all, 3 redirects. */
    public static FetchConfig defaults() {
        return read(ConfigSource.of(java.util.Map.of()));
    }

    /** Whether {@code host} is on the allowlist (exact name, or {@code *.suffix} patterns). */
    public boolean hostAllowed(String host) {
        if (allowedHosts.isEmpty()) {
            return true;
        }
        String h = host.toLowerCase(Locale.ROOT);
        for (String allowed : allowedHosts) {
            if (allowed.startsWith("*.") ? h.endsWith(allowed.substring(1)) : h.equals(allowed)) {
                return true;
            }
        }
        return false;
    }

    static FetchConfig read(ConfigSource src) {
        List<String> schemes = src.optional("fetch.allowed.schemes").isPresent()
                ? src.list("fetch.allowed.schemes") : List.of("http", "https");
        for (String s : schemes) {
            if (!s.equals("http") && !s.equals("https")) {
                throw new ConfigException("fetch.allowed.schemes", s, "only http and https can be fetched");
            }
        }
        return new FetchConfig(
                Set.copyOf(schemes),
                src.list("fetch.allowed.hosts"),
                src.bool("fetch.allow.private.addresses", false),
                src.longValue("fetch.max.bytes", 20L << 20, 1, 1L << 31),
                Duration.ofMillis(src.longValue("fetch.connect.timeout.ms", 5_000, 1, 600_000)),
                Duration.ofMillis(src.longValue("fetch.timeout.ms", 15_000, 1, 600_000)),
                src.integer("fetch.max.redirects", 3, 0, 20));
    }
}
