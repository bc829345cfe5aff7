package io.vlmstreams.topology.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlmstreams.convert.CheckpointConverter;
import io.vlmstreams.convert.Layout;
import io.vlmstreams.convert.synth.Size;
import io.vlmstreams.convert.synth.SyntheticCheckpointWriter;
import io.vlmstreams.devstack.Fixtures;
import io.vlmstreams.devstack.kafka.EmbeddedKafkaCluster;
import io.vlmstreams.devstack.registry.TestSchemaRegistryServer;
import io.vlmstreams.inference.engine.InferenceEngine;
import io.vlmstreams.inference.model.OnnxDtype;
import io.vlmstreams.topology.app.ModelControl;
import io.vlmstreams.topology.app.StreamsApp;
import io.vlmstreams.topology.config.AppConfig;
import io.vlmstreams.topology.config.ConfigSource;
import io.vlmstreams.topology.ops.VlmMetrics;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A model swap under a stream of events, through a real KRaft broker: {@code fixtures/tiny-onnx}
 * serves, then a second synthetic seed (another model) through {@code POST /admin/model}, a swap to
 * a broken folder is refused while the second keeps serving, and {@code model.dir.file} swaps back.
 * Every event is answered exactly once, none is dead-lettered, and each answer names its model.
 */
class ModelSwapTest {

    private static final Duration QUIET = Duration.ofSeconds(2);
    private static final Duration LIMIT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "s3cret-admin-token";

    @TempDir
    Path temp;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void everyEventIsAnsweredOnceByTheModelServingWhenItsBatchRan() throws Exception {
        long began = System.nanoTime();
        Path roots = Files.createDirectories(temp.resolve("models"));
        Path second = new CheckpointConverter().convert(
                SyntheticCheckpointWriter.write(Size.TINY, 11L, temp.resolve("checkpoint-11")).dir(),
                roots.resolve("tiny-seed-11"), OnnxDtype.FP32, Layout.ONNX_COMMUNITY).folder();
        Path broken = Files.createDirectories(roots.resolve("half-copied"));
        Files.copy(second.resolve("config.json"), broken.resolve("config.json"));
        Path pointer = temp.resolve("current-model");
        Path first = Fixtures.tinyOnnx().toAbsolutePath().normalize();

        try (EmbeddedKafkaCluster kafka = new EmbeddedKafkaCluster().start();
             TestSchemaRegistryServer registry = TestSchemaRegistryServer.start()) {
            for (String topic : List.of("in-swap", "out-swap", "dlq-swap")) {
                kafka.createTopic(topic, 2);
            }
            Map<String, String> settings = TestApp.baseSettings(kafka, Map.of("schema.registry.url", registry.url()),
                    temp.resolve("state"), "swap-test");
            settings.putAll(Map.of("model.dir", first.toString(), "dead.letter.topic", "dlq-swap", "pipelines", "swap",
                    "batch.max.size", "4", "batch.linger.ms", "30"));
            settings.putAll(Map.of("pipeline.swap.input.topics", "in-swap", "pipeline.swap.output.topic", "out-swap",
                    "pipeline.swap.prompt", "Describe this image.", "pipeline.swap.max.new.tokens", "4"));
            settings.putAll(Map.of("admin.enabled", "true", "admin.bind.address", "127.0.0.1:0", "admin.token", TOKEN,
                    "admin.model.roots", first.getParent() + "," + roots, "model.dir.file", pointer.toString(),
                    "model.dir.file.poll.ms", "100"));
            AppConfig config = AppConfig.from(ConfigSource.of(settings));
            KafkaIo io = new KafkaIo(kafka.clientProperties(), registry.url());

            InferenceEngine engine = ModelControl.openEngine(config);
            try (VlmMetrics metrics = new VlmMetrics();
                 StreamsApp app = new StreamsApp(config, engine, metrics);
                 ModelControl control = ModelControl.start(config, engine, metrics)) {
                app.start();
                URI admin = control.server().url();
                String firstId = app.modelId();
                assertThat(firstId).isEqualTo("tiny-onnx:fp32");

                // refused before anything loads: no token, and a folder outside the roots
                assertThat(call(admin, "GET", null, null).statusCode()).isEqualTo(401);
                assertThat(call(admin, "POST", "wrong", body(second)).statusCode()).isEqualTo(401);
                assertThat(call(admin, "POST", TOKEN, body(temp.resolve("checkpoint-11"))).statusCode()).isEqualTo(403);

                List<String> wave1 = send(io, "a", 16);
                List<ConsumerRecord<String, GenericRecord>> early = io.readCommitted("out-swap", 2, Duration.ZERO, LIMIT);
                // the swap lands while wave 1 is still being answered
                HttpResponse<String> swapped = call(admin, "POST", TOKEN, body(second));
                assertThat(swapped.statusCode()).as(swapped.body()).isEqualTo(200);
                String secondId = JSON.readTree(swapped.body()).path("model_id").asText();
                assertThat(secondId).isEqualTo("tiny-seed-11:fp32");
                List<String> wave2 = send(io, "b", 12);

                HttpResponse<String> refused = call(admin, "POST", TOKEN, body(broken));
                assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
                JsonNode refusal = JSON.readTree(refused.body());
                assertThat(refusal.path("error").asText()).contains("half-copied");
                assertThat(refusal.path("model_id").asText()).isEqualTo(secondId);
                JsonNode serving = JSON.readTree(call(admin, "GET", TOKEN, null).body());
                assertThat(serving.path("model_id").asText()).isEqualTo(secondId);
                assertThat(serving.path("dir").asText()).isEqualTo(second.toString());
                assertThat(serving.path("dtype").asText()).isEqualTo("fp32");
                assertThat(serving.path("state").asText()).isEqualTo("serving");
                assertThat(serving.path("last_error").asText()).contains("half-copied");
                assertThat(metrics.scrape()).contains("vlm_model_swaps_total{result=\"failed\"} 1.0")
                        .contains("vlm_model_swaps_total{result=\"ok\"} 1.0");
                List<String> wave3 = send(io, "c", 8);
                // every event so far answered before the model changes back, so waves 2 and 3 are the second model's
                io.readCommitted("out-swap", wave1.size() + wave2.size() + wave3.size(), Duration.ZERO, LIMIT);

                // the watched file, written elsewhere and renamed into place, swaps back
                Path draft = temp.resolve("current-model.tmp");
                Files.writeString(draft, first + "\n");
                Files.move(draft, pointer, StandardCopyOption.ATOMIC_MOVE);
                awaitModel(admin, firstId);
                List<String> wave4 = send(io, "d", 8);

                int total = wave1.size() + wave2.size() + wave3.size() + wave4.size();
                List<ConsumerRecord<String, GenericRecord>> answers = io.readCommitted("out-swap", total, QUIET, LIMIT);
                List<ConsumerRecord<String, GenericRecord>> letters = io.readCommitted("dlq-swap", 0, QUIET, QUIET.multipliedBy(2));
                Map<String, String> modelOf = new HashMap<>();
                List<String> ids = new ArrayList<>();
                for (ConsumerRecord<String, GenericRecord> r : answers) {
                    String id = r.value().get("event_id").toString();
                    ids.add(id);
                    modelOf.put(id, r.value().get("model_id").toString());
                }
                Set<String> sent = new LinkedHashSet<>();
                List.of(wave1, wave2, wave3, wave4).forEach(sent::addAll);

                assertThat(ids).hasSize(total).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(sent);
                assertThat(letters).isEmpty();
                for (ConsumerRecord<String, GenericRecord> r : early) {
                    assertThat(r.value().get("model_id").toString()).isEqualTo(firstId);
                }
                assertThat(wave1).allSatisfy(id -> assertThat(modelOf.get(id)).isIn(firstId, secondId));
                assertThat(wave2).allSatisfy(id -> assertThat(modelOf.get(id)).isEqualTo(secondId));
                assertThat(wave3).allSatisfy(id -> assertThat(modelOf.get(id)).isEqualTo(secondId));
                assertThat(wave4).allSatisfy(id -> assertThat(modelOf.get(id)).isEqualTo(firstId));
                assertThat(metrics.scrape()).contains("vlm_model_swaps_total{result=\"ok\"} 2.0");

                Map<String, Long> perModel = modelOf.values().stream().collect(Collectors.groupingBy(m -> m, Collectors.counting()));
                System.out.printf("ModelSwapTest: %d events sent, %d answered (%d distinct), %d dead letters, answers per model %s,"
                                + " wave 1 answered by the first model: %d of %d; %.1f s%n", total, answers.size(),
                        new LinkedHashSet<>(ids).size(), letters.size(), perModel,
                        wave1.stream().filter(id -> firstId.equals(modelOf.get(id))).count(), wave1.size(),
                        (System.nanoTime() - began) / 1e9);
            }
        }
    }

    private static List<String> send(KafkaIo io, String wave, int n) {
        List<String> images = List.of("green_palette.png", "microaneurysms.png", "text.png");
        List<Map.Entry<String, byte[]>> records = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = "swap-" + wave + "-" + i;
            ids.add(id);
            records.add(Map.entry("cam-" + (i % 4), io.serialize("in-swap",
                    KafkaIo.inline(id, "cam-" + (i % 4), KafkaIo.fixtureImage(images.get(i % images.size()))))));
        }
        io.sendRaw("in-swap", records);
        return ids;
    }

    private void awaitModel(URI admin, String modelId) throws Exception {
        long end = System.nanoTime() + LIMIT.toNanos();
        while (System.nanoTime() < end) {
            if (JSON.readTree(call(admin, "GET", TOKEN, null).body()).path("model_id").asText().equals(modelId)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("model.dir.file did not swap to " + modelId);
    }

    private static String body(Path dir) throws IOException {
        return JSON.writeValueAsString(Map.of("dir", dir.toString(), "dtype", "fp32"));
    }

    private HttpResponse<String> call(URI uri, String method, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(120))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
