package io.vlmstreams.topology.ops;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.vlmstreams.inference.engine.InferenceEngine;
import io.vlmstreams.inference.engine.SwappableEngine;
import io.vlmstreams.topology.ScriptedEngine;
import io.vlmstreams.topology.config.AdminConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** The admin endpoint's refusals: token, method, body, roots; and the canary refusing a model that cannot answer. */
class AdminServerTest {

    @TempDir
    Path temp;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void refusesWhatItMustAndReportsAFailedCanary() throws Exception {
        Path root = Files.createDirectories(temp.resolve("models"));
        Path first = Files.createDirectories(root.resolve("first"));
        Path mute = Files.createDirectories(root.resolve("mute"));
        // the scripted engine answers every request; "mute" is one whose every request fails
        SwappableEngine.Loader loader = c -> c.dir().endsWith("mute") ? new FailingEngine() : new ScriptedEngine();
        AdminConfig admin = new AdminConfig(true, new InetSocketAddress("127.0.0.1", 0), "tok", List.of(root), null,
                Duration.ofSeconds(1));
        try (SwappableEngine engine = SwappableEngine.open(loader, new SwappableEngine.ModelChoice(first, "auto"));
             AdminServer server = AdminServer.start(admin, engine)) {
            URI url = server.url();
            assertThat(send(url, "GET", null, null).statusCode()).isEqualTo(401);
            assertThat(send(url, "GET", "Bearer tok2", null).statusCode()).isEqualTo(401);
            assertThat(send(url, "DELETE", "Bearer tok", null).statusCode()).isEqualTo(405);
            assertThat(send(url, "POST", "Bearer tok", "not json").statusCode()).isEqualTo(400);
            assertThat(send(url, "POST", "Bearer tok", "{\"dtype\":\"q4\"}").statusCode()).isEqualTo(400);
            assertThat(send(url, "POST", "Bearer tok", "{\"dir\":\"" + root + "/../elsewhere\"}").statusCode()).isEqualTo(403);

            HttpResponse<String> canary = send(url, "POST", "Bearer tok", "{\"dir\":\"" + mute + "\"}");
            assertThat(canary.statusCode()).isEqualTo(422);
            assertThat(canary.body()).contains("canary");
            HttpResponse<String> status = send(url, "GET", "Bearer tok", null);
            assertThat(status.statusCode()).isEqualTo(200);
            assertThat(status.body()).contains("\"dir\":\"" + first + "\"").contains("\"state\":\"serving\"").contains("canary");
            assertThat(engine.swapsFailed()).isEqualTo(1);
        }
    }

    private HttpResponse<String> send(URI url, String method, String auth, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(url).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** An engine whose every request fails, as a broken model's would. */
    private static final class FailingEngine implements InferenceEngine {
        @Override
        public List<io.vlmstreams.inference.engine.Outcome> runBatch(List<io.vlmstreams.inference.engine.InferenceRequest> requests) {
            return requests.stream().<io.vlmstreams.inference.engine.Outcome>map(r -> new io.vlmstreams.inference.engine.Outcome.Failure(
                    r.requestId(), new io.vlmstreams.inference.engine.InferenceException(
                    io.vlmstreams.inference.engine.InferenceException.Kind.INFERENCE_FAILED, "broken"))).toList();
        }

        @Override
        public int estimateImageTokens(io.vlmstreams.inference.engine.InferenceRequest request) {
            return 1;
        }

        @Override
        public String modelId() {
            return "mute:fp32";
        }

        @Override
        public String executionProvider() {
            return "CPU";
        }

        @Override
        public void close() {
        }
    }
}
