package io.vlmstreams.cli.hub;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where and how to reach the Hub, read the way {@code huggingface_hub} reads them so one environment serves
 * both tools: {@code HF_ENDPOINT} (a mirror; default {@code https://huggingface.co}), {@code HF_TOKEN} (else the
 * token file {@code huggingface-cli login} wrote, {@code HF_TOKEN_PATH} or {@code $HF_HOME/token}), the cache
 * {@code HF_HUB_CACHE}, else {@code $HF_HOME/hub}, else {@code ~/.cache/huggingface/hub}, and {@code HF_HUB_OFFLINE=1}.
 */
public record HubSettings(URI endpoint, Optional<String> token, Path cacheRoot, boolean offline) {

    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";

    public HubSettings {
        String e = endpoint.toString();
        if (!(e.startsWith("http://") || e.startsWith("https://")) || endpoint.getHost() == null) {
            throw new HubException("endpoint '" + e + "' is not an http(s) URL (HF_ENDPOINT or --endpoint, e.g. " + DEFAULT_ENDPOINT + ")");
        }
        endpoint = URI.create(e.replaceAll("/+$", ""));
        token = token.map(String::trim).filter(t -> !t.isEmpty());
    }

    /** From environment variables {@code env} and the user's home directory. */
    public static HubSettings fromEnvironment(Map<String, String> env, Path home) {
        Path hfHome = Optional.ofNullable(env.get("HF_HOME")).map(Path::of).orElse(home.resolve(".cache/huggingface"));
        Path cache = Optional.ofNullable(env.get("HF_HUB_CACHE")).map(Path::of).orElse(hfHome.resolve("hub"));
        Optional<String> token = Optional.ofNullable(env.get("HF_TOKEN")).or(() -> readToken(
                Optional.ofNullable(env.get("HF_TOKEN_PATH")).map(Path::of).orElse(hfHome.resolve("token"))));
        String offline = env.getOrDefault("HF_HUB_OFFLINE", "");
        return new HubSettings(parseEndpoint(env.getOrDefault("HF_ENDPOINT", DEFAULT_ENDPOINT)), token, cache,
                offline.equals("1") || offline.equalsIgnoreCase("true"));
    }

    /** The same settings with another endpoint (a command-line option wins over {@code HF_ENDPOINT}). */
    public HubSettings withEndpoint(String url) {
        return new HubSettings(parseEndpoint(url), token, cacheRoot, offline);
    }

    /** The same settings with another cache root. */
    public HubSettings withCacheRoot(Path root) {
        return new HubSettings(endpoint, token, root, offline);
    }

    private static URI parseEndpoint(String url) {
        try {
            return URI.create(url.trim());
        } catch (IllegalArgumentException e) {
            throw new HubException("endpoint '" + url + "' is not a URL: " + e.getMessage());
        }
    }

    private static Optional<String> readToken(Path file) {
        try {
            return Files.isRegularFile(file) ? Optional.of(Files.readString(file, StandardCharsets.UTF_8).trim()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
