package io.vlmstreams.topology.config;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which settings count as secrets in config dumps. */
class RedactionTest {

    @Test
    void credentialsAndKeyMaterialAreHiddenOtherSettingsShown() {
        Map<String, String> redacted = Redaction.redact(Map.of(
                "sasl.jaas.config", "PlainLoginModule required username=\"u\" password=\"s1\";",
                "basic.auth.user.info", "u:s2",
                "schema.registry.basic.auth.user.info", "u:s3",
                "ssl.key.password", "s4",
                "ssl.keystore.password", "s5",
                "ssl.keystore.key", "-----BEGIN PRIVATE KEY-----",
                "ssl.truststore.password", "s6",
                "sasl.oauthbearer.client.secret", "s7",
                "bootstrap.servers", "broker:9092",
                "security.protocol", "SASL_SSL"));
        assertThat(redacted).containsEntry("bootstrap.servers", "broker:9092").containsEntry("security.protocol", "SASL_SSL");
        redacted.forEach((k, v) -> {
            if (!k.equals("bootstrap.servers") && !k.equals("security.protocol")) {
                assertThat(v).as(k).isEqualTo(Redaction.HIDDEN);
            }
        });
    }
}
