package io.vlmstreams.schemas.serde;

import java.time.Duration;
import java.util.Map;

/**
 * The serializer settings, under Confluent's keys.
 *
 * @param autoRegisterSchemas {@code auto.register.schemas} (default true): register the record's
 *                            schema under the subject; otherwise look its id up
 * @param useLatestVersion    {@code use.latest.version} (default false, only read when
 *                            auto-registration is off): write with the subject's latest schema
 * @param latestCacheTtl      {@code latest.cache.ttl.sec} (default 60 s; negative: forever): how long
 *                            the latest version is reused before asking the registry again
 */
public record AvroSerdeConfig(boolean autoRegisterSchemas, boolean useLatestVersion, Duration latestCacheTtl) {

    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
    public static final String USE_LATEST_VERSION = "use.latest.version";
    public static final String LATEST_CACHE_TTL_SEC = "latest.cache.ttl.sec";

    /** Reads the keys above and rejects subject name strategies other than TopicNameStrategy. */
    public static AvroSerdeConfig from(Map<String, ?> configs, boolean isKey) {
        SubjectNames.requireTopicNameStrategy(configs, isKey);
        return new AvroSerdeConfig(
                Configs.bool(configs, AUTO_REGISTER_SCHEMAS, true),
                Configs.bool(configs, USE_LATEST_VERSION, false),
                Duration.ofSeconds(Configs.number(configs, LATEST_CACHE_TTL_SEC, 60)));
    }
}
