package io.vlmstreams.cli.sandbox;

import io.vlmstreams.topology.app.StateFolders;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import io.vlmstreams.cli.TransformersJsBench;
import io.vlmstreams.inference.engine.EngineStats;
import io.vlmstreams.inference.engine.GenerationSettings;
import io.vlmstreams.inference.engine.InferenceEngine;
import io.vlmstreams.inference.engine.InferenceRequest;
import io.vlmstreams.inference.engine.LocalInferenceEngine;
import io.vlmstreams.devstack.samples.SampleImages;
import io.vlmstreams.topology.app.EngineLoader;
import io.vlmstreams.topology.app.StreamsApp;
import io.vlmstreams.topology.config.AppConfig;
import io.vlmstreams.topology.config.ConfigSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * End-to-end throughput through a real broker: times transformers.js generate() on the sample images
 * first, alone (when node and {@code reference/node_modules} are there), fills the input topic with
 * {@code rounds} x the sample images, runs the same requests through the engine alone (batches of
 * the pipeline size, no Kafka), then starts the Streams application on the full topic and counts
 * committed answers (read_committed) until all are in. Prints answers/s, the ratios to the engine
 * alone and to transformers.js, and where the pipeline's time went. Figures only.
 */
public final class E2eBench {

    /**
     * What one end-to-end benchmark run does.
     *
     * @param batchSize             the pipeline's batch.max.size
     * @param engineBatchSize       engine.max.batch.size: sequences decoding together, across stream threads
     * @param compareTransformersJs true: required, false: skipped, null: when available
     */
    public record Options(Path modelDir, String dtype, int rounds, int maxNewTokens, int batchSize, int engineBatchSize,
                          int intraOpThreads, int streamThreads, boolean spinWait, Duration timeout, Boolean compareTransformersJs) {
    }

    private static final String PIPELINE = "bench";

    private final Options options;
    private final PrintStream out;

    public E2eBench(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** Runs the benchmark; returns 0 when every event was answered, 1 on timeout. */
    public int run() throws InterruptedException {
        // transformers.js first, alone, so the two never compete for the cores or memory
        double reference = transformersJs();
        Path stateDir = StateFolders.createTemp("vlm-bench-e2e");
        try (SandboxServices services = SandboxServices.start()) {
            services.createTopics(Sandbox.TOPICS, Sandbox.PARTITIONS);
            int n = SampleProducer.send(services.clientConfigs(), Sandbox.INPUT_TOPIC, options.rounds());
            out.printf(Locale.ROOT, "e2e: %d events in %s (%d partitions), batch.max.size %d, engine.max.batch.size %d, "
                            + "%d stream thread(s), spin wait %s, load average %.2f%n",
                    n, Sandbox.INPUT_TOPIC, Sandbox.PARTITIONS, options.batchSize(), options.engineBatchSize(),
                    options.streamThreads(), options.spinWait(), loadAverage());
            AppConfig config = AppConfig.from(ConfigSource.of(settings(services, stateDir)));
            InferenceEngine engine = EngineLoader.open(config.model());
            EngineStats stats = engine instanceof LocalInferenceEngine l ? l.stats() : null;
            double engineAlone = engineAlone(engine, n);
            EngineStats.Snapshot before = stats == null ? null : stats.snapshot();
            long t0;
            long firstAnswer;
            long done;
            int answered;
            try (StreamsApp app = new StreamsApp(config, engine);
                 KafkaConsumer<byte[], byte[]> answers = committedReader(services)) {
                t0 = System.nanoTime();
                app.start();
                firstAnswer = 0;
                answered = 0;
                long deadline = t0 + options.timeout().toNanos();
                while (answered < n && System.nanoTime() < deadline) {
                    ConsumerRecords<byte[], byte[]> got = answers.poll(Duration.ofMillis(200));
                    if (!got.isEmpty() && firstAnswer == 0) {
                        firstAnswer = System.nanoTime();
                    }
                    answered += got.count();
                }
                done = System.nanoTime();
            }
            report(n, answered, engineAlone, reference, t0, firstAnswer, done, stats == null ? null : stats.snapshot().minus(before));
            return answered >= n ? 0 : 1;
        } finally {
            StateFolders.deleteRecursively(stateDir);
        }
    }

    /** The same requests straight into the engine, in batches of the pipeline's batch.max.size: images/s. */
    private double engineAlone(InferenceEngine engine, int n) {
        List<SampleImages.Sample> samples = SampleImages.all();
        // warm-up: one pass over the samples so both runs start with warm sessions and JIT
        runAll(engine, samples, samples.size());
        long t0 = System.nanoTime();
        runAll(engine, samples, n);
        double perSecond = n / ((System.nanoTime() - t0) / 1e9);
        out.printf(Locale.ROOT, "engine alone (runBatch, same images, batches of %d): %.3f images/s%n", options.batchSize(), perSecond);
        return perSecond;
    }

    private void runAll(InferenceEngine engine, List<SampleImages.Sample> samples, int n) {
        List<InferenceRequest> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            SampleImages.Sample s = samples.get(i % samples.size());
            batch.add(InferenceRequest.generate("engine-" + i, s.bytes(), PROMPT, GenerationSettings.greedy(options.maxNewTokens())));
            if (batch.size() == options.batchSize() || i == n - 1) {
                engine.runBatch(batch);
                batch = new ArrayList<>();
            }
        }
    }

    /** transformers.js generate() images/s on the sample images at this run's max_new_tokens, or 0 when skipped. */
    private double transformersJs() {
        Optional<TransformersJsBench> tjs = TransformersJsBench.forComparison(options.compareTransformersJs(), out);
        if (tjs.isEmpty()) {
            return 0;
        }
        Path dir = StateFolders.createTemp("vlm-bench-e2e");
        try {
            List<Path> files = new ArrayList<>();
            for (SampleImages.Sample sample : SampleImages.all()) {
                files.add(Files.write(dir.resolve(sample.name()), sample.bytes()));
            }
            out.println("running transformers.js generate() on the same model and sample images ...");
            TransformersJsBench.Result r = tjs.get().run(options.modelDir(), options.dtype(), files, options.maxNewTokens(), 1, false);
            out.printf(Locale.ROOT, "transformers.js generate() (batch 1, %d images, %d new tokens): %.3f images/s%n",
                    r.generatedImages(), r.generatedTokens(), r.generateImagesPerSecond());
            return r.generateImagesPerSecond();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            StateFolders.deleteRecursively(dir);
        }
    }

    private void report(int n, int answered, double engineAlone, double reference, long t0, long firstAnswer, long done,
                        EngineStats.Snapshot s) {
        double wall = (done - t0) / 1e9;
        double perSecond = answered / wall;
        out.printf(Locale.ROOT, "e2e: %d/%d answered in %.1f s (first answer after %.1f s): %.3f answers/s = %.2f of the engine alone%s%n",
                answered, n, wall, firstAnswer == 0 ? 0 : (firstAnswer - t0) / 1e9, perSecond, perSecond / engineAlone,
                reference > 0 ? String.format(Locale.ROOT, " = %.2fx transformers.js generate()", perSecond / reference) : "");
        if (s != null) {
            double model = (s.encodeNanos() + s.prefillNanos() + s.decodeNanos()) / 1e9;
            double rest = Math.max(0, wall - model);
            out.printf(Locale.ROOT, "e2e split of %.1f s wall: encoder %.1f s, decoder (prefill %.1f + decode %.1f) s, "
                            + "image decode+preprocess %.1f s (on its own threads, overlapped), "
                            + "Kafka+serde+batching+startup (wall - model) %.1f s = %.1f%% of model time; %d batches, mean %.1f per batch%n",
                    wall, s.encodeNanos() / 1e9, s.prefillNanos() / 1e9, s.decodeNanos() / 1e9, s.preprocessNanos() / 1e9,
                    rest, 100 * rest / model, s.batches(), s.batches() == 0 ? 0.0 : (double) s.requests() / s.batches());
        }
        out.printf(Locale.ROOT, "load average at the end %.2f%n", loadAverage());
    }

    static final String PROMPT = "Describe this image.";

    private Map<String, String> settings(SandboxServices services, Path stateDir) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("application.id", "vlm-bench-e2e");
        s.put("bootstrap.servers", services.bootstrapServers());
        s.put("schema.registry.url", services.registryUrl());
        s.put("state.dir", stateDir.toString());
        s.put("model.dir", options.modelDir().toString());
        s.put("model.dtype", options.dtype());
        s.put("engine.provider", "cpu");
        if (options.intraOpThreads() > 0) {
            s.put("engine.intra.op.threads", String.valueOf(options.intraOpThreads()));
        }
        s.put("engine.spin.wait", String.valueOf(options.spinWait()));
        s.put("engine.max.batch.size", String.valueOf(options.engineBatchSize()));
        s.put("num.stream.threads", String.valueOf(options.streamThreads()));
        s.put("dead.letter.topic", Sandbox.DEAD_LETTER_TOPIC);
        s.put("shutdown.timeout.ms", "5000");
        s.put("pipelines", PIPELINE);
        String p = "pipeline." + PIPELINE + ".";
        s.put(p + "input.topics", Sandbox.INPUT_TOPIC);
        s.put(p + "output.topic", Sandbox.ANSWER_TOPIC);
        s.put(p + "mode", "generate");
        s.put(p + "prompt", PROMPT);
        s.put(p + "max.new.tokens", String.valueOf(options.maxNewTokens()));
        s.put(p + "batch.max.size", String.valueOf(options.batchSize()));
        return s;
    }

    /** Answers and dead letters as committed: assigned (no group), from the start. */
    private static KafkaConsumer<byte[], byte[]> committedReader(SandboxServices services) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, services.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = new ArrayList<>();
        for (String topic : List.of(Sandbox.ANSWER_TOPIC, Sandbox.DEAD_LETTER_TOPIC)) {
            for (int i = 0; i < Sandbox.PARTITIONS; i++) {
                parts.add(new TopicPartition(topic, i));
            }
        }
        c.assign(parts);
        c.seekToBeginning(parts);
        return c;
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }


}
