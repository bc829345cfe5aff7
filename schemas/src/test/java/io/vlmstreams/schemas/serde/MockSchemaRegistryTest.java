package io.vlmstreams.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import io.vlmstreams.schemas.Answer;
import io.vlmstreams.schemas.ImageEvent;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MockSchemaRegistryTest {

    @AfterEach
    void drop() {
        MockSchemaRegistry.dropScope("a");
        MockSchemaRegistry.dropScope("b");
    }

    @Test
    void scopesAreIsolated() {
        try (var a = new SpecificAvroSerde<>(ImageEvent.class); var b = new SpecificAvroSerde<>(ImageEvent.class)) {
            a.configure(Map.of("schema.registry.url", "mock://a"), false);
            b.configure(Map.of("schema.registry.url", "mock://b"), false);
            byte[] fromA = a.serializer().serialize("images", Samples.inlineEvent());

            assertThat(MockSchemaRegistry.forScope("a").getSubjects()).containsExactly("images-value");
            assertThat(MockSchemaRegistry.forScope("b").getSubjects()).isEmpty();
            assertThatThrownBy(() -> b.deserializer().deserialize("images", fromA))
                    .hasMessageContaining("Unknown schema id 1");
            assertThat(a.deserializer().deserialize("images", fromA)).isEqualTo(Samples.inlineEvent());
        }
    }

    @Test
    void droppedScopeStartsEmpty() {
        MockSchemaRegistry.forScope("a").register("x-value", Answer.getClassSchema());
        MockSchemaRegistry.dropScope("a");
        assertThat(MockSchemaRegistry.forScope("a").getSubjects()).isEmpty();
    }

    @Test
    void registrationIsIdempotentAndIdsAreSharedAcrossSubjects() {
        MockSchemaRegistry registry = new MockSchemaRegistry();
        int id = registry.register("images-value", ImageEvent.getClassSchema());
        assertThat(registry.register("images-value", ImageEvent.getClassSchema())).isEqualTo(id);
        assertThat(registry.getVersions("images-value")).containsExactly(1);

        int answerId = registry.register("answers-value", Answer.getClassSchema());
        assertThat(answerId).isNotEqualTo(id);
        assertThat(registry.register("replay-value", ImageEvent.getClassSchema())).isEqualTo(id);
        assertThat(registry.getById(id)).isEqualTo(ImageEvent.getClassSchema());
        assertThat(registry.getId("replay-value", ImageEvent.getClassSchema())).isEqualTo(id);
        assertThat(registry.usagesOf(id)).extracting(RegisteredSchema::subject).containsExactly("images-value", "replay-value");
    }

    @Test
    void missingThingsAre404WithConfluentErrorCodes() {
        MockSchemaRegistry registry = new MockSchemaRegistry();
        registry.register("s", Answer.getClassSchema());
        assertThatThrownBy(() -> registry.getById(99)).isInstanceOfSatisfying(SchemaNotFoundException.class,
                e -> assertThat(e.errorCode()).isEqualTo(40403));
        assertThatThrownBy(() -> registry.getLatest("nope")).isInstanceOfSatisfying(SchemaNotFoundException.class,
                e -> assertThat(e.errorCode()).isEqualTo(40401));
        assertThatThrownBy(() -> registry.getVersion("s", 2)).isInstanceOfSatisfying(SchemaNotFoundException.class,
                e -> assertThat(e.errorCode()).isEqualTo(40402));
        assertThatThrownBy(() -> registry.getId("s", ImageEvent.getClassSchema()))
                .isInstanceOfSatisfying(SchemaNotFoundException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo(40403);
                    assertThat(e.httpStatus()).isEqualTo(404);
                });
    }

    @Test
    void compatibilityLevelsAreEnforced() {
        MockSchemaRegistry registry = new MockSchemaRegistry();
        Schema v1 = SchemaBuilder.record("R").fields().requiredString("a").endRecord();
        Schema addedRequired = SchemaBuilder.record("R").fields().requiredString("a").requiredInt("b").endRecord();
        registry.register("s", v1);

        assertThat(registry.getCompatibility("s")).isEqualTo(CompatibilityLevel.BACKWARD);
        assertThatThrownBy(() -> registry.register("s", addedRequired))
                .isInstanceOfSatisfying(IncompatibleSchemaException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(409);
                    assertThat(e.getMessage()).contains("\"s\"").contains("BACKWARD").contains("b");
                });

        registry.setCompatibility("s", CompatibilityLevel.FORWARD); // old readers ignore the extra field
        assertThat(registry.register("s", addedRequired)).isEqualTo(2);
        registry.setCompatibility("s", CompatibilityLevel.NONE);
        assertThat(registry.register("s", SchemaBuilder.record("R").fields().requiredLong("z").endRecord())).isEqualTo(3);
        assertThat(registry.getVersions("s")).containsExactly(1, 2, 3);
    }

    @Test
    void invalidSchemaTextIs422() {
        assertThatThrownBy(() -> new MockSchemaRegistry().register("s", "{\"type\":\"record\"}"))
                .isInstanceOfSatisfying(InvalidSchemaException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(422);
                    assertThat(e.errorCode()).isEqualTo(42201);
                });
    }

    @Test
    void factoryPicksMockOrHttp() {
        assertThat(SchemaRegistryClients.create(Map.of("schema.registry.url", "mock://a")))
                .isSameAs(MockSchemaRegistry.forScope("a"));
        try (SchemaRegistryClient http = SchemaRegistryClients.create(Map.of(
                "schema.registry.url", "https://registry.example:8081",
                "basic.auth.credentials.source", "USER_INFO",
                "basic.auth.user.info", "svc:s3cr3t:with-colon"))) {
            assertThat(http).isInstanceOf(HttpSchemaRegistryClient.class);
            assertThat(http.toString()).contains("registry.example").doesNotContain("s3cr3t");
        }
        assertThatThrownBy(() -> SchemaRegistryClients.create(Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("schema.registry.url");
        assertThatThrownBy(() -> SchemaRegistryClients.create(Map.of("schema.registry.url", "mock://a,http://x")))
                .isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> SchemaRegistryClients.create(Map.of("schema.registry.url", "ftp://x")))
                .isInstanceOf(ConfigException.class);
    }
}
