package io.vlmstreams.topology.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

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

    /** The defaults of {@link Settings}' {@code fetch.*} keys. */
    public static FetchConfig defaults() {
        return read(SettingValues.parse(Settings.FETCH, Map.of(), ""));
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

    static FetchConfig read(SettingValues v) {
        return new FetchConfig(
                Set.copyOf(v.list(Settings.FETCH_ALLOWED_SCHEMES)),
                v.list(Settings.FETCH_ALLOWED_HOSTS),
                v.bool(Settings.FETCH_ALLOW_PRIVATE_ADDRESSES),
                v.longValue(Settings.FETCH_MAX_BYTES),
                Duration.ofMillis(v.longValue(Settings.FETCH_CONNECT_TIMEOUT_MS)),
                Duration.ofMillis(v.longValue(Settings.FETCH_TIMEOUT_MS)),
                v.integer(Settings.FETCH_MAX_REDIRECTS));
    }
}
