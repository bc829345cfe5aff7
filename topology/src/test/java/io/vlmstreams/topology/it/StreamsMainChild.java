package io.vlmstreams.topology.it;

import java.io.File;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.vlmstreams.devstack.kafka.EmbeddedKafkaCluster;
import io.vlmstreams.devstack.registry.TestSchemaRegistryServer;

/**
 * {@code run} started as operators start it, a child JVM of {@code StreamsMain} on the tiny model,
 * with one pipeline {@code main} reading {@code NAME-in}, writing {@code NAME-out} and
 * {@code NAME-dlq}; its output goes to {@code run.log} in the test's temporary directory.
 */
final class StreamsMainChild {

    /** How long a test waits for the child's endpoints and answers. */
    static final Duration LIMIT = Duration.ofSeconds(120);

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private StreamsMainChild() {
    }

    /** Starts the child with application id {@code NAME-test} on {@code metrics.port=port}, plus {@code extra} settings. */
    static Process start(EmbeddedKafkaCluster kafka, TestSchemaRegistryServer registry, Path temp, int port, String name,
            String... extra) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx768m", "-cp", System.getProperty("java.class.path"),
                "io.vlmstreams.topology.app.StreamsMain",
                "bootstrap.servers=" + kafka.bootstrapServers(), "schema.registry.url=" + registry.url(),
                "model.dir=" + TinyModelFolder.get().toString(), "pipelines=main",
                "pipeline.main.prompt=Describe this image.", "pipeline.main.input.topics=" + name + "-in",
                "pipeline.main.output.topic=" + name + "-out", "dead.letter.topic=" + name + "-dlq",
                "state.dir=" + temp.resolve("state").toString(), "application.id=" + name + "-test",
                "metrics.port=" + port, "engine.provider=cpu", "batch.linger.ms=30", "pipeline.main.max.new.tokens=4",
                "shutdown.timeout.ms=10000"));
        command.addAll(List.of(extra));
        File log = temp.resolve("run.log").toFile();
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
    }

    /** Polls {@code uri} until it answers {@code status}, the process dies, or {@link #LIMIT} passes; returns the last status. */
    static int awaitStatus(URI uri, int status, Process app) throws Exception {
        long end = System.nanoTime() + LIMIT.toNanos();
        int last = -1;
        while (System.nanoTime() < end && app.isAlive()) {
            try {
                last = HTTP.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode();
                if (last == status) {
                    return last;
                }
            } catch (ConnectException e) {
                // Not listening yet: the engine loads before the endpoint starts.
            }
            Thread.sleep(200);
        }
        return last;
    }

    /** The child's output so far, for assertion messages. */
    static String log(Path temp) throws IOException {
        Path log = temp.resolve("run.log");
        return Files.exists(log) ? Files.readString(log) : "(no log)";
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
