package io.vlmstreams.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;

class RegistryClientConfigTest {

    @Test
    void userInfoCredentialsAreParsedAndNeverPrinted() {
        RegistryClientConfig config = RegistryClientConfig.from(Map.of(
                "schema.registry.url", "http://a:8081, http://b:8081/",
                "basic.auth.credentials.source", "USER_INFO",
                "basic.auth.user.info", new Password("alice:pa:ss"),
                "http.read.timeout.ms", "1500"));

        assertThat(config.urls()).containsExactly(URI.create("http://a:8081"), URI.create("http://b:8081/"));
        assertThat(config.credentials()).contains(new BasicCredentials("alice", "pa:ss"));
        assertThat(config.requestTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(config.connectTimeout()).isEqualTo(RegistryClientConfig.DEFAULT_CONNECT_TIMEOUT);
        assertThat(config.toString()).contains("alice").doesNotContain("pa:ss");
    }

    @Test
    void urlCredentialsMoveOutOfTheUrl() {
        RegistryClientConfig config = RegistryClientConfig.from(Map.of(
                "schema.registry.url", List.of("https://bob:p%40ss@registry.example/apis/ccompat/v7")));

        assertThat(config.urls()).containsExactly(URI.create("https://registry.example/apis/ccompat/v7"));
        assertThat(config.credentials()).contains(new BasicCredentials("bob", "p@ss"));
        assertThat(config.toString()).doesNotContain("p@ss").doesNotContain("p%40ss");
    }

    @Test
    void missingUserInfoIsAConfigErrorWithoutSecrets() {
        assertThatThrownBy(() -> RegistryClientConfig.from(Map.of(
                "schema.registry.url", "http://a",
                "basic.auth.credentials.source", "USER_INFO")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("basic.auth.user.info");
        assertThatThrownBy(() -> RegistryClientConfig.from(Map.of(
                "schema.registry.url", "http://a",
                "basic.auth.credentials.source", "SASL_INHERIT")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("USER_INFO");
    }

    @Test
    void authorizationHeaderIsBase64OfUserColonPassword() {
        assertThat(new BasicCredentials("Aladdin", "open sesame").authorizationHeader())
                .isEqualTo("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
    }
}
