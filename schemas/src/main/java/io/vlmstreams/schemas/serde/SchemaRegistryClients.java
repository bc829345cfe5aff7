package io.vlmstreams.schemas.serde;

import java.util.List;
import java.util.Map;

import org.apache.kafka.common.config.ConfigException;

/** Picks the registry client for Confluent-style configs: {@code mock://<scope>} or http(s) URLs. */
public final class SchemaRegistryClients {

    private SchemaRegistryClients() {
    }

    /**
     * A client for {@code schema.registry.url}: the scoped {@link MockSchemaRegistry} for
     * {@code mock://<scope>}, else an {@link HttpSchemaRegistryClient} configured from the same map
     * (credentials, timeouts; see {@link RegistryClientConfig}).
     *
     * @throws ConfigException if the URL is missing, mixes mock and http URLs, or is malformed
     */
    public static SchemaRegistryClient create(Map<String, ?> configs) {
        List<String> urls = RegistryClientConfig.urlStrings(configs);
        long mocks = urls.stream().filter(u -> u.startsWith(MockSchemaRegistry.URL_PREFIX)).count();
        if (mocks == 0) {
            return HttpSchemaRegistryClient.fromConfigs(configs);
        }
        if (urls.size() > 1) {
            throw new ConfigException(RegistryClientConfig.URL, urls.toString(), "a mock:// URL must be the only one");
        }
        return MockSchemaRegistry.forScope(MockSchemaRegistry.scopeOf(urls.get(0)));
    }
}
