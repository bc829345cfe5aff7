package io.vlmstreams.devstack.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import io.vlmstreams.schemas.ImageEvent;
import io.vlmstreams.schemas.serde.HttpSchemaRegistryClient;
import io.vlmstreams.schemas.serde.RegistryClientConfig;
import io.vlmstreams.schemas.serde.SchemaRegistryException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BasicAuthTest {

    private TestSchemaRegistryServer server;

    @BeforeEach
    void start() {
        server = TestSchemaRegistryServer.builder().basicAuth("svc-vlm", "s3cr3t:pw").start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void clientSendsTheConfiguredCredentials() {
        try (var client = HttpSchemaRegistryClient.fromConfigs(Map.of(
                "schema.registry.url", server.url(),
                "basic.auth.credentials.source", "USER_INFO",
                "basic.auth.user.info", "svc-vlm:s3cr3t:pw"))) {
            assertThat(client.register("images-value", ImageEvent.getClassSchema())).isEqualTo(1);
            assertThat(client.toString()).doesNotContain("s3cr3t");
        }
        // base64("svc-vlm:s3cr3t:pw")
        assertThat(server.requests()).singleElement()
                .extracting(r -> r.header("Authorization")).isEqualTo("Basic c3ZjLXZsbTpzM2NyM3Q6cHc=");
    }

    @Test
    void credentialsInTheUrlAreSentAsBasicAuth() {
        String url = server.url().replace("http://", "http://svc-vlm:s3cr3t%3Apw@");
        try (var client = HttpSchemaRegistryClient.fromConfigs(Map.of("schema.registry.url", url))) {
            assertThat(client.getSubjects()).isEmpty();
            assertThat(client.toString()).doesNotContain("s3cr3t");
        }
    }

    @Test
    void missingOrWrongCredentialsGet401() {
        try (var anonymous = new HttpSchemaRegistryClient(RegistryClientConfig.of(server.url()));
             var wrong = HttpSchemaRegistryClient.fromConfigs(Map.of(
                     "schema.registry.url", server.url(),
                     "basic.auth.credentials.source", "USER_INFO",
                     "basic.auth.user.info", "svc-vlm:guess"))) {
            assertThatThrownBy(() -> anonymous.getSubjects()).isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                assertThat(e.httpStatus()).isEqualTo(401);
                assertThat(e.getMessage()).contains("Unauthorized").doesNotContain("s3cr3t");
            });
            assertThatThrownBy(() -> wrong.register("images-value", ImageEvent.getClassSchema()))
                    .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.httpStatus()).isEqualTo(401));
        }
        assertThat(server.requests()).hasSize(2);
        assertThat(server.requests().get(0).header("Authorization")).isNull();
        assertThat(server.registry().getSubjects()).isEmpty();
    }
}
