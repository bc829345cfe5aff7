package io.vlmstreams.schemas.serde;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.common.config.ConfigException;

/**
 * How to reach a schema registry, read from Confluent's config keys. URLs never keep user info (it
 * moves into {@link #credentials()}), and {@link #toString()} shows no password.
 *
 * @param urls           registry base URLs, tried in order when one cannot be reached
 * @param credentials    basic auth credentials, if any
 * @param connectTimeout TCP connect timeout
 * @param requestTimeout time allowed for a whole request
 */
public record RegistryClientConfig(List<URI> urls, Optional<BasicCredentials> credentials,
                                   Duration connectTimeout, Duration requestTimeout) {

    public static final String URL = "schema.registry.url";
    public static final String CREDENTIALS_SOURCE = "basic.auth.credentials.source";
    public static final String USER_INFO = "basic.auth.user.info";
    /** Older alias of {@link #USER_INFO} that Confluent still reads. */
    public static final String LEGACY_USER_INFO = "schema.registry.basic.auth.user.info";
    public static final String CONNECT_TIMEOUT_MS = "http.connect.timeout.ms";
    public static final String REQUEST_TIMEOUT_MS = "http.read.timeout.ms";

    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

    public RegistryClientConfig {
        urls = List.copyOf(urls);
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("At least one schema registry URL is needed");
        }
        if (urls.stream().anyMatch(u -> u.getUserInfo() != null)) {
            throw new IllegalArgumentException("URLs must not carry credentials; pass them as credentials");
        }
    }

    /** A config for one URL without credentials and with default timeouts. */
    public static RegistryClientConfig of(String url) {
        return from(Map.of(URL, url));
    }

    /** Reads the config keys above; {@code basic.auth.credentials.source} is URL (default) or USER_INFO. */
    public static RegistryClientConfig from(Map<String, ?> configs) {
        List<URI> raw = urls(configs);
        String source = Optional.ofNullable(Configs.string(configs, CREDENTIALS_SOURCE)).orElse("URL");
        Optional<BasicCredentials> credentials = switch (source.toUpperCase(java.util.Locale.ROOT)) {
            case "URL" -> raw.stream().map(URI::getRawUserInfo).filter(u -> u != null)
                    .findFirst().map(u -> BasicCredentials.parse(java.net.URLDecoder.decode(u, java.nio.charset.StandardCharsets.UTF_8)));
            case "USER_INFO" -> {
                String info = Optional.ofNullable(Configs.string(configs, USER_INFO))
                        .orElse(Configs.string(configs, LEGACY_USER_INFO));
                if (info == null || info.indexOf(':') < 0) {
                    // The value is a secret: never echo it into the exception.
                    throw new ConfigException(USER_INFO + " must be set to user:password when "
                            + CREDENTIALS_SOURCE + "=USER_INFO");
                }
                yield Optional.of(BasicCredentials.parse(info));
            }
            default -> throw new ConfigException(CREDENTIALS_SOURCE, source, "supported: URL, USER_INFO");
        };
        Duration connect = Duration.ofMillis(Configs.number(configs, CONNECT_TIMEOUT_MS, DEFAULT_CONNECT_TIMEOUT.toMillis()));
        Duration request = Duration.ofMillis(Configs.number(configs, REQUEST_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT.toMillis()));
        return new RegistryClientConfig(raw.stream().map(RegistryClientConfig::withoutUserInfo).toList(), credentials, connect, request);
    }

    /** The configured URL strings (comma-separated string or a collection), unparsed. */
    static List<String> urlStrings(Map<String, ?> configs) {
        Object value = configs.get(URL);
        if (value == null) {
            throw new ConfigException("Missing required configuration \"" + URL + "\"");
        }
        Collection<?> items = value instanceof Collection<?> c ? c : Arrays.asList(value.toString().split(","));
        List<String> urls = new ArrayList<>();
        for (Object item : items) {
            String url = item.toString().trim();
            if (!url.isEmpty()) {
                urls.add(url);
            }
        }
        if (urls.isEmpty()) {
            throw new ConfigException("Configuration \"" + URL + "\" is empty");
        }
        return urls;
    }

    private static List<URI> urls(Map<String, ?> configs) {
        List<URI> urls = new ArrayList<>();
        for (String url : urlStrings(configs)) {
            try {
                URI uri = new URI(url);
                if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
                    throw new ConfigException(URL, withoutUserInfo(uri).toString(), "expected http://, https:// or mock://");
                }
                urls.add(uri);
            } catch (URISyntaxException e) {
                throw new ConfigException(URL, "(unparseable)", "not a URL: " + e.getReason());
            }
        }
        return urls;
    }

    private static URI withoutUserInfo(URI uri) {
        try {
            return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), null, null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
