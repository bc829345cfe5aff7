package io.vlmstreams.topology.config;

import java.util.Set;

import io.vlmstreams.schemas.serde.AvroSerdeConfig;
import io.vlmstreams.schemas.serde.RegistryClientConfig;
import io.vlmstreams.schemas.serde.RegistryTls;

/**
 * The keys the schemas module's registry client and Avro serdes read; they go to the registry
 * client and serdes, not to Kafka. A {@code schema.registry.*} or {@code basic.auth.*} key outside
 * this list would be read by no one, so it is refused as unknown.
 */
final class RegistryKeys {

    static final Set<String> NAMES = names();

    private static Set<String> names() {
        Set<String> names = new java.util.HashSet<>(Set.of(RegistryClientConfig.URL, RegistryClientConfig.CREDENTIALS_SOURCE, RegistryClientConfig.USER_INFO,
            RegistryClientConfig.LEGACY_USER_INFO, RegistryClientConfig.CONNECT_TIMEOUT_MS,
            RegistryClientConfig.REQUEST_TIMEOUT_MS, AvroSerdeConfig.AUTO_REGISTER_SCHEMAS,
            AvroSerdeConfig.USE_LATEST_VERSION, AvroSerdeConfig.LATEST_CACHE_TTL_SEC));
        names.addAll(RegistryTls.NAMES);
        return Set.copyOf(names);
    }

    private RegistryKeys() {
    }
}
