package io.vlmstreams.devstack.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlmstreams.schemas.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The server's REST answers as raw HTTP, independent of the project's client. */
class RegistryRestApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TYPE = "application/vnd.schemaregistry.v1+json";

    private final HttpClient http = HttpClient.newHttpClient();
    private TestSchemaRegistryServer server;

    @BeforeEach
    void start() {
        server = TestSchemaRegistryServer.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.url() + path))
                .header("Content-Type", TYPE)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static String schemaBody(String schema) {
        return JSON.createObjectNode().put("schema", schema).toString();
    }

    @Test
    void registerAndReadBack() throws Exception {
        String schema = Answer.getClassSchema().toString();
        HttpResponse<String> registered = send("POST", "/subjects/answers-value/versions", schemaBody(schema));
        assertThat(registered.statusCode()).isEqualTo(200);
        assertThat(registered.headers().firstValue("Content-Type")).contains(TYPE);
        assertThat(JSON.readTree(registered.body()).get("id").asInt()).isEqualTo(1);

        JsonNode byId = JSON.readTree(send("GET", "/schemas/ids/1", null).body());
        assertThat(byId.get("schema").asText()).isEqualTo(schema);
        assertThat(send("GET", "/schemas/ids/1/schema", null).body()).isEqualTo(schema);
        assertThat(send("GET", "/schemas/ids/1/versions", null).body()).isEqualTo("[{\"subject\":\"answers-value\",\"version\":1}]");

        JsonNode latest = JSON.readTree(send("GET", "/subjects/answers-value/versions/latest", null).body());
        assertThat(latest.get("subject").asText()).isEqualTo("answers-value");
        assertThat(latest.get("version").asInt()).isEqualTo(1);
        assertThat(latest.get("id").asInt()).isEqualTo(1);
        assertThat(send("GET", "/subjects/answers-value/versions", null).body()).isEqualTo("[1]");
        assertThat(send("GET", "/subjects", null).body()).isEqualTo("[\"answers-value\"]");

        JsonNode lookup = JSON.readTree(send("POST", "/subjects/answers-value", schemaBody(schema)).body());
        assertThat(lookup.get("version").asInt()).isEqualTo(1);
        JsonNode check = JSON.readTree(send("POST", "/compatibility/subjects/answers-value/versions/latest", schemaBody(schema)).body());
        assertThat(check.get("is_compatible").asBoolean()).isTrue();
    }

    @Test
    void errorsUseConfluentStatusesAndCodes() throws Exception {
        assertError(send("GET", "/schemas/ids/999", null), 404, 40403);
        assertError(send("GET", "/subjects/nosuch/versions", null), 404, 40401);
        assertError(send("POST", "/subjects/s/versions", schemaBody("{\"type\":\"record\",\"name\":\"R\"}")), 422, 42201);
        assertError(send("POST", "/subjects/s/versions", schemaBody("not json")), 422, 42201);
        send("POST", "/subjects/s/versions", schemaBody("\"string\""));
        assertError(send("GET", "/subjects/s/versions/99", null), 404, 40402);
        assertError(send("GET", "/subjects/s/versions/zero", null), 422, 42202);
        assertError(send("GET", "/config/s", null), 404, 40408);
        assertError(send("GET", "/nothing/here", null), 404, 404);
        assertError(send("DELETE", "/schemas/ids/1", null), 405, 405);
        assertError(send("GET", "/subjects/s/versions/1/nonsense", null), 404, 404);
        assertError(send("PUT", "/subjects/s/versions/1", null), 405, 405);
    }

    @Test
    void compatibilityIsConfigurablePerSubject() throws Exception {
        assertThat(send("GET", "/config", null).body()).isEqualTo("{\"compatibilityLevel\":\"BACKWARD\"}");
        assertThat(send("PUT", "/config/s", "{\"compatibility\":\"NONE\"}").body()).isEqualTo("{\"compatibility\":\"NONE\"}");
        assertThat(send("GET", "/config/s", null).body()).isEqualTo("{\"compatibilityLevel\":\"NONE\"}");
        assertThat(send("GET", "/config/other?defaultToGlobal=true", null).body()).isEqualTo("{\"compatibilityLevel\":\"BACKWARD\"}");
        assertError(send("PUT", "/config/s", "{\"compatibility\":\"SIDEWAYS\"}"), 422, 42203);

        send("POST", "/subjects/s/versions", schemaBody("\"string\""));
        assertThat(send("POST", "/subjects/s/versions", schemaBody("\"int\"")).statusCode()).isEqualTo(200);
        send("PUT", "/config/s", "{\"compatibility\":\"BACKWARD\"}");
        HttpResponse<String> refused = send("POST", "/subjects/s/versions", schemaBody("\"boolean\""));
        assertError(refused, 409, 409);
        assertThat(send("DELETE", "/subjects/s", null).body()).isEqualTo("[1,2]");
        assertThat(send("GET", "/schemas/ids/2", null).statusCode()).isEqualTo(200);
    }

    private static void assertError(HttpResponse<String> response, int status, int errorCode) throws IOException {
        assertThat(response.statusCode()).as(response.uri() + " status").isEqualTo(status);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("error_code").asInt()).as(response.uri() + " error_code").isEqualTo(errorCode);
        assertThat(body.get("message").asText()).isNotBlank();
    }
}
