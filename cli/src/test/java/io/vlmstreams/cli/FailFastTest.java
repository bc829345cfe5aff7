package io.vlmstreams.cli;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.vlmstreams.devstack.kafka.EmbeddedKafkaCluster;
import io.vlmstreams.devstack.registry.TestSchemaRegistryServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each way {@code run}, {@code produce} and {@code tail} refuse to start when something they need is
 * missing, before the model loads: one {@code error:} line per problem and a documented exit code.
 * The elapsed time of each is printed, not asserted.
 */
class FailFastTest {

    private static EmbeddedKafkaCluster kafka;
    private static TestSchemaRegistryServer registry;

    @TempDir
    Path temp;

    @BeforeAll
    static void startServices() {
        kafka = new EmbeddedKafkaCluster().start();
        registry = TestSchemaRegistryServer.start();
        kafka.createTopic("ff-in", 1);
        kafka.createTopic("ff-out", 1);
        kafka.createTopic("ff-dlq", 1);
    }

    @AfterAll
    static void stopServices() {
        if (registry != null) {
            registry.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    static Path tinyModel() {
        return Path.of(System.getProperty("vlm.fixtures.dir", "../fixtures"), "tiny-onnx").toAbsolutePath();
    }

    static Path image() {
        return Path.of(System.getProperty("vlm.fixtures.dir", "../fixtures"), "upstream", "images", "text.png").toAbsolutePath();
    }

    private List<String> run(String bootstrap, String registryUrl, String input, String... more) {
        List<String> args = new ArrayList<>(List.of("run", "--bootstrap", bootstrap, "--registry", registryUrl,
                "--model", tinyModel().toString(), "--input", input, "--output", "ff-out", "--dead-letter", "ff-dlq",
                "--state-dir", temp.resolve("state").toString(), "--set", "startup.check.timeout.ms=3000"));
        args.addAll(List.of(more));
        return args;
    }

    private static Cli.Result timed(String what, List<String> args) {
        long start = System.nanoTime();
        Cli.Result result = Cli.execute(args.toArray(String[]::new));
        System.out.printf("fail-fast %-22s exit %d after %4d ms: %s%n", what, result.exitCode(),
                (System.nanoTime() - start) / 1_000_000, errorLines(result));
        return result;
    }

    private static List<String> errorLines(Cli.Result result) {
        return result.err().lines().filter(l -> l.startsWith("error: ")).toList();
    }

    @Test
    void aMissingInputTopicIsOneLineNamingItsSetting() {
        Cli.Result result = timed("missing topic", run(kafka.bootstrapServers(), registry.url(), "ff-missing"));
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(errorLines(result)).containsExactly("error: topic 'ff-missing' (pipeline.main.input.topics) does not exist at "
                + kafka.bootstrapServers() + "; create it: ./vlm-streams topics create --bootstrap "
                + kafka.bootstrapServers() + " ff-missing");
        assertThat(result.err()).doesNotContain("Exception");
    }

    @Test
    void aDeadBrokerIsOneLine() throws IOException {
        String dead = "127.0.0.1:" + freePort();
        Cli.Result result = timed("dead broker", run(dead, "mock://ff", "ff-in"));
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(errorLines(result)).containsExactly("error: no Kafka broker answers at " + dead
                + " (nothing accepts connections there): check bootstrap.servers and that the broker is up");
    }

    @Test
    void aDeadRegistryIsOneLine() throws IOException {
        String dead = "http://127.0.0.1:" + freePort();
        Cli.Result result = timed("dead registry", run(kafka.bootstrapServers(), dead, "ff-in"));
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(errorLines(result)).containsExactly("error: the schema registry at " + dead + " refuses connections "
                + "(nothing listens there?) (check schema.registry.url, its credentials, and that the registry is up)");
    }

    @Test
    void aRegistryWithoutSchemeIsOneLine() {
        Cli.Result result = timed("registry without scheme", run(kafka.bootstrapServers(), "localhost:8081", "ff-in"));
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(errorLines(result)).containsExactly("error: Invalid value localhost:8081 for configuration "
                + "schema.registry.url: needs a scheme: http://, https:// or mock:// (e.g. http://localhost:8081)");
    }

    @Test
    void aMistypedKafkaKeyIsOneLineWithTheNearestKey() {
        Cli.Result result = timed("unknown key", run(kafka.bootstrapServers(), registry.url(), "ff-in",
                "--set", "batch.max.sise=8"));
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(errorLines(result)).containsExactly("error: Unknown setting 'batch.max.sise' (did you mean 'batch.max.size'?)");
        Cli.Result producer = timed("unknown client key", run(kafka.bootstrapServers(), registry.url(), "ff-in",
                "--set", "producer.linger.msec=5"));
        assertThat(errorLines(producer)).containsExactly(
                "error: Unknown setting 'producer.linger.msec' (did you mean 'producer.linger.ms'?)");
    }

    @Test
    void runWithoutArgumentsIsOneLine() {
        Cli.Result result = timed("run without arguments", List.of("run"));
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err().strip()).isEqualTo("error: give --config FILE, or --bootstrap, --registry, --model, --input and --output");
    }

    @Test
    void aFolderThatIsNoModelIsOneLineBeforeKafkaIsAsked() throws IOException {
        Path notAModel = Files.createDirectories(temp.resolve("empty"));
        List<String> args = run("127.0.0.1:" + freePort(), "mock://ff", "ff-in");
        args.set(args.indexOf("--model") + 1, notAModel.toString());
        Cli.Result result = timed("folder that is no model", args);
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(errorLines(result)).singleElement().asString().startsWith("error: model folder " + notAModel);
    }

    @Test
    void produceAndTailCheckTheirTopic() {
        Cli.Result produce = timed("produce, missing topic", List.of("produce", "--bootstrap", kafka.bootstrapServers(),
                "--registry", registry.url(), "--topic", "ff-nope", "--image", image().toString()));
        assertThat(produce.exitCode()).isEqualTo(3);
        assertThat(errorLines(produce)).containsExactly("error: topic 'ff-nope' (--topic) does not exist at "
                + kafka.bootstrapServers() + "; create it: ./vlm-streams topics create --bootstrap "
                + kafka.bootstrapServers() + " ff-nope");
        Cli.Result tail = timed("tail, missing topic", List.of("tail", "--bootstrap", kafka.bootstrapServers(),
                "--registry", registry.url(), "--topic", "ff-nope", "--count", "1"));
        assertThat(tail.exitCode()).isEqualTo(3);
        assertThat(errorLines(tail)).hasSize(1);
        assertThat(tail.err()).doesNotContain("IllegalStateException");
        Cli.Result scheme = timed("tail, registry no scheme", List.of("tail", "--bootstrap", kafka.bootstrapServers(),
                "--registry", "localhost:8081", "--topic", "ff-in"));
        assertThat(scheme.exitCode()).isEqualTo(2);
        assertThat(errorLines(scheme)).containsExactly("error: --registry localhost:8081 needs a scheme: http://, https:// "
                + "or mock:// (e.g. --registry http://localhost:8081)");
    }

    @Test
    void aBadProviderIsOneLine() {
        Cli.Result run = timed("bad engine.provider", run(kafka.bootstrapServers(), registry.url(), "ff-in",
                "--set", "engine.provider=gpu"));
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(errorLines(run)).containsExactly("error: Invalid value gpu for configuration engine.provider: "
                + "String must be one of: auto, cpu, cuda, tensorrt");
        Cli.Result infer = timed("infer --provider gpu", List.of("infer", "--model", tinyModel().toString(),
                "--image", image().toString(), "--provider", "gpu"));
        assertThat(infer.exitCode()).isEqualTo(2);
        assertThat(infer.err().strip()).isEqualTo("error: unknown execution provider 'gpu': use auto, cpu, cuda or tensorrt");

        Cli.Result verbose = Cli.execute("infer", "--model", tinyModel().toString(), "--image", image().toString(),
                "--provider", "gpu", "--verbose");
        assertThat(verbose.exitCode()).isEqualTo(2);
        assertThat(verbose.err()).contains("\tat io.vlmstreams.inference.onnx.ExecutionProvider.parse")
                .endsWith("error: unknown execution provider 'gpu': use auto, cpu, cuda or tensorrt" + System.lineSeparator());
        assertThat(infer.err()).doesNotContain("\tat ");
    }

    @Test
    void anUpstreamCheckpointSuggestsModelConvert() {
        Path upstream = Path.of(System.getProperty("vlm.fixtures.dir", "../fixtures"), "upstream", "tiny-lfm2vl").toAbsolutePath();
        List<String> args = run(kafka.bootstrapServers(), registry.url(), "ff-in");
        args.set(args.indexOf("--model") + 1, upstream.toString());
        Cli.Result result = timed("upstream checkpoint", args);
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(errorLines(result)).singleElement().asString().startsWith("error: model folder " + upstream)
                .contains("convert it first: ./vlm-streams model convert --from " + upstream);
    }

    @Test
    void aMistypedClientKeyOfProduceIsOneLine() {
        Cli.Result result = timed("produce --set typo", List.of("produce", "--bootstrap", kafka.bootstrapServers(),
                "--registry", registry.url(), "--topic", "ff-in", "--image", image().toString(), "--set", "batch.sise=1"));
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err().strip()).isEqualTo("error: Unknown client setting 'batch.sise' (did you mean 'batch.size'?)");
    }

    /** Environment variables cannot be set in process: this one runs {@code run} as a child JVM. */
    @Test
    void aMistypedVlmVariableIsOneLine() throws Exception {
        ProcessBuilder child = new ProcessBuilder(ChildCli.command("run", "--bootstrap", kafka.bootstrapServers(),
                "--registry", registry.url(), "--model", tinyModel().toString(), "--input", "ff-in", "--output", "ff-out"));
        child.environment().put("VLM_BOOTSTRAP_SERVER", "elsewhere:9092");
        Path err = temp.resolve("err.txt");
        child.redirectError(err.toFile()).redirectOutput(temp.resolve("out.txt").toFile());
        long start = System.nanoTime();
        Process p = child.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        List<String> lines = Files.readAllLines(err).stream().filter(l -> !l.isBlank()).toList();
        System.out.printf("fail-fast %-22s exit %d after %4d ms: %s%n", "unknown VLM_ variable", p.exitValue(),
                (System.nanoTime() - start) / 1_000_000, lines);
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(lines).containsExactly("error: Unknown environment variable VLM_BOOTSTRAP_SERVER (did you mean "
                + "VLM_BOOTSTRAP_SERVERS, which sets bootstrap.servers?)");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

}
