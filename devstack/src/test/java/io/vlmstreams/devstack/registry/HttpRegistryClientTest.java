package io.vlmstreams.devstack.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.util.Map;

import io.vlmstreams.schemas.Answer;
import io.vlmstreams.schemas.ImageEvent;
import io.vlmstreams.schemas.serde.CompatibilityLevel;
import io.vlmstreams.schemas.serde.HttpSchemaRegistryClient;
import io.vlmstreams.schemas.serde.IncompatibleSchemaException;
import io.vlmstreams.schemas.serde.RegisteredSchema;
import io.vlmstreams.schemas.serde.RegistryClientConfig;
import io.vlmstreams.schemas.serde.SchemaNotFoundException;
import io.vlmstreams.schemas.serde.SchemaRegistryException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The project's HTTP client against the in-process registry server. */
class HttpRegistryClientTest {

    private TestSchemaRegistryServer server;
    private HttpSchemaRegistryClient client;

    @BeforeEach
    void start() {
        server = TestSchemaRegistryServer.start();
        client = new HttpSchemaRegistryClient(RegistryClientConfig.of(server.url()));
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    @Test
    void registersIdempotentlyAndFetchesById() {
        int id = client.register("images-value", ImageEvent.getClassSchema());
        // A second client has no cache, so this really asks the server again.
        try (var fresh = new HttpSchemaRegistryClient(RegistryClientConfig.of(server.url()))) {
            assertThat(fresh.register("images-value", ImageEvent.getClassSchema())).isEqualTo(id);
            assertThat(fresh.register("replay-value", ImageEvent.getClassSchema())).isEqualTo(id);
            assertThat(fresh.getById(id)).isEqualTo(ImageEvent.getClassSchema());
            assertThat(fresh.getId("replay-value", ImageEvent.getClassSchema())).isEqualTo(id);
        }
        assertThat(client.register("answers-value", Answer.getClassSchema())).isNotEqualTo(id);
        assertThat(client.getVersions("images-value")).containsExactly(1);
        assertThat(client.getSubjects()).containsExactlyInAnyOrder("images-value", "replay-value", "answers-value");
        assertThat(client.getLatest("answers-value"))
                .isEqualTo(new RegisteredSchema("answers-value", 1, id + 1, Answer.getClassSchema()));
        assertThat(client.getVersion("images-value", 1).id()).isEqualTo(id);
    }

    @Test
    void cachesBothWays() {
        int id = client.register("images-value", ImageEvent.getClassSchema());
        server.clearRequests();
        client.register("images-value", ImageEvent.getClassSchema());
        client.getById(id);
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void missingThingsAreNotFoundWithTheRegistryErrorCode() {
        assertThatThrownBy(() -> client.getById(999)).isInstanceOfSatisfying(SchemaNotFoundException.class, e -> {
            assertThat(e.httpStatus()).isEqualTo(404);
            assertThat(e.errorCode()).isEqualTo(40403);
            assertThat(e.getMessage()).contains("HTTP 404").contains("40403").contains("999");
        });
        assertThatThrownBy(() -> client.getLatest("nosuch-value")).isInstanceOfSatisfying(SchemaNotFoundException.class,
                e -> assertThat(e.errorCode()).isEqualTo(40401));
        assertThatThrownBy(() -> client.getId("nosuch-value", ImageEvent.getClassSchema()))
                .isInstanceOf(SchemaNotFoundException.class);
    }

    @Test
    void incompatibleSchemaIsRefusedWith409() {
        Schema v1 = SchemaBuilder.record("R").fields().requiredString("a").endRecord();
        Schema v2 = SchemaBuilder.record("R").fields().requiredString("a").requiredInt("b").endRecord();
        client.register("r-value", v1);
        client.setCompatibility("r-value", CompatibilityLevel.BACKWARD);
        assertThat(client.getCompatibility("r-value")).isEqualTo(CompatibilityLevel.BACKWARD);

        assertThatThrownBy(() -> client.register("r-value", v2)).isInstanceOfSatisfying(IncompatibleSchemaException.class, e -> {
            assertThat(e.httpStatus()).isEqualTo(409);
            assertThat(e.getMessage()).contains("r-value").contains("b");
        });

        client.setCompatibility("r-value", CompatibilityLevel.NONE);
        assertThat(client.register("r-value", v2)).isEqualTo(2);
        assertThat(client.getLatest("r-value").version()).isEqualTo(2);
    }

    @Test
    void compatibilityFallsBackToTheGlobalLevel() {
        assertThat(client.getCompatibility("never-configured")).isEqualTo(CompatibilityLevel.BACKWARD);
        server.registry().setGlobalCompatibility(CompatibilityLevel.FULL);
        assertThat(client.getCompatibility("never-configured")).isEqualTo(CompatibilityLevel.FULL);
    }

    @Test
    void subjectNamesAreEncoded() {
        int id = client.register("odd name/with+chars-value", ImageEvent.getClassSchema());
        assertThat(server.registry().getSubjects()).containsExactly("odd name/with+chars-value");
        assertThat(client.getLatest("odd name/with+chars-value").id()).isEqualTo(id);
    }

    @Test
    void sendsConfluentContentType() {
        client.register("images-value", ImageEvent.getClassSchema());
        RecordedRequest request = server.requests().get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/subjects/images-value/versions");
        assertThat(request.header("content-type")).isEqualTo("application/vnd.schemaregistry.v1+json");
        assertThat(request.body()).startsWith("{\"schema\":\"{\\\"type\\\":\\\"record\\\"");
    }

    @Test
    void failsOverToTheNextUrlAndReportsUnreachableRegistries() throws Exception {
        int deadPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            deadPort = socket.getLocalPort();
        }
        String dead = "http://127.0.0.1:" + deadPort;
        try (var failover = new HttpSchemaRegistryClient(RegistryClientConfig.from(
                Map.of("schema.registry.url", dead + "," + server.url())))) {
            assertThat(failover.register("images-value", ImageEvent.getClassSchema())).isEqualTo(1);
        }
        try (var unreachable = new HttpSchemaRegistryClient(RegistryClientConfig.of(dead))) {
            assertThatThrownBy(() -> unreachable.getById(1)).isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                assertThat(e.httpStatus()).isEqualTo(SchemaRegistryException.NO_RESPONSE);
                assertThat(e.getMessage()).contains("Cannot reach schema registry").contains(dead);
            });
        }
    }
}
