package io.vlmstreams.cli.cameras;

import io.vlmstreams.topology.app.StateFolders;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import io.vlmstreams.devstack.kafka.EmbeddedKafkaCluster;
import io.vlmstreams.devstack.registry.TestSchemaRegistryServer;
import io.vlmstreams.devstack.samples.SampleImages;
import io.vlmstreams.inference.engine.GenerationSettings;
import io.vlmstreams.inference.engine.InferenceEngine;
import io.vlmstreams.inference.engine.InferenceRequest;
import io.vlmstreams.inference.engine.Outcome;
import io.vlmstreams.schemas.Answer;
import io.vlmstreams.schemas.DeadLetter;
import io.vlmstreams.schemas.ImageEvent;
import io.vlmstreams.schemas.InlineImage;
import io.vlmstreams.schemas.serde.SpecificAvroSerde;
import io.vlmstreams.topology.app.EngineLoader;
import io.vlmstreams.topology.app.StreamsApp;
import io.vlmstreams.topology.config.AppConfig;
import io.vlmstreams.topology.config.ConfigSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Camera feeds through the embedded broker and the real application: measures the service time of
 * one batch of {@code batchSize} frames on the engine alone (so capacity = batchSize / service time),
 * then, per load (the given fps, 0.5x, 1x and 2x capacity) and with the feed settings off and on
 * ({@code max.event.age.ms}, {@code latest.per.source}, {@code source.round.robin}), has {@code cameras}
 * cameras send frames at that rate for {@code seconds} and reads every answer and dead letter as
 * committed. Prints per run frames sent, answered, dropped by reason, event-to-answer latency and the
 * frame's age when its answer was written, and checks the goals at 2x capacity with the settings on.
 * Figures only: nothing here asserts timing.
 */
public final class CameraBench {

    /** Streams settings the bench's application runs with, as a latency-minded camera deployment would. */
    static final long COMMIT_INTERVAL_MS = 20;
    static final long PRODUCER_LINGER_MS = 5;


    /**
     * One benchmark.
     *
     * @param fps          per camera, the first (as given) load
     * @param batchSize    batch.max.size and engine.max.batch.size (default: cameras, as nvstreammux)
     * @param maxEventAgeMs null: three times the measured batch service time plus the commit interval and linger
     * @param loads        the runs after the first, as multiples of the measured capacity (last: the goals' run)
     */
    public record Options(Path modelDir, String dtype, int cameras, double fps, int seconds, int maxNewTokens,
                          int batchSize, Long maxEventAgeMs, int intraOpThreads, Duration drainTimeout,
                          List<Double> loads) {

        public Options {
            loads = List.copyOf(loads);
        }
    }

    static final String PIPELINE = "cams";
    static final String EVENT_TIME_ATTRIBUTE = "bench_event_time_ms";
    static final String PROMPT = "Describe this image in one sentence.";

    private final Options options;
    private final PrintStream out;

    public CameraBench(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** Runs every load; returns 0 when every run accounted for every frame exactly once. */
    public int run() throws InterruptedException {
        Path stateRoot = StateFolders.createTemp("vlm-bench-cameras");
        try (EmbeddedKafkaCluster kafka = new EmbeddedKafkaCluster().start();
             TestSchemaRegistryServer registry = TestSchemaRegistryServer.start()) {
            Map<String, String> base = settings(kafka.bootstrapServers(), registry.url(), stateRoot, 0, false, 0);
            InferenceEngine engine = EngineLoader.open(AppConfig.from(ConfigSource.of(base)).model());
            try {
                long serviceMs = serviceTimeMs(engine);
                double capacity = options.batchSize() * 1000.0 / serviceMs;
                long maxAge = options.maxEventAgeMs() != null ? options.maxEventAgeMs()
                        : roundUp(3 * serviceMs + COMMIT_INTERVAL_MS + PRODUCER_LINGER_MS, 100);
                out.printf(Locale.ROOT, "cameras: model %s, %d cameras, batch %d, one batch %d ms on the engine alone: "
                                + "capacity %.2f frames/s (%.2f fps per camera); max.event.age.ms %d when on%n",
                        engine.modelId(), options.cameras(), options.batchSize(), serviceMs, capacity,
                        capacity / options.cameras(), maxAge);
                List<Object[]> loads = new ArrayList<>();
                loads.add(new Object[] {"given " + options.fps() + " fps", options.fps() * options.cameras()});
                for (double x : options.loads()) {
                    loads.add(new Object[] {x + "x capacity", x * capacity});
                }
                List<CameraRunResult> results = new ArrayList<>();
                int run = 0;
                for (Object[] load : loads) {
                    for (boolean feed : new boolean[] {false, true}) {
                        run++;
                        CameraRunResult r = runOnce(kafka.bootstrapServers(), registry.url(), stateRoot, run,
                                new NonClosingEngine(engine), (String) load[0], (Double) load[1], feed, maxAge);
                        results.add(r);
                        printRow(r);
                    }
                }
                printTable(results, serviceMs, maxAge);
                return results.stream().allMatch(CameraRunResult::accounted) ? 0 : 1;
            } finally {
                engine.close();
            }
        } finally {
            StateFolders.deleteRecursively(stateRoot);
        }
    }

    /**
     * Median wall time of one batch of batchSize frames on the engine alone, after a warm-up: one frame
     * of each camera, as the runs' batches are (camera i always sends sample image i mod 5, a camera's
     * resolution being fixed).
     */
    private long serviceTimeMs(InferenceEngine engine) {
        List<SampleImages.Sample> samples = SampleImages.all();
        List<Long> times = new ArrayList<>();
        for (int round = 0; round < 7; round++) {
            List<InferenceRequest> batch = new ArrayList<>();
            for (int i = 0; i < options.batchSize(); i++) {
                SampleImages.Sample s = samples.get(i % samples.size());
                batch.add(InferenceRequest.generate("warm-" + round + "-" + i, s.bytes(), PROMPT,
                        GenerationSettings.greedy(options.maxNewTokens())));
            }
            long t0 = System.nanoTime();
            List<Outcome> outcomes = engine.runBatch(batch);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            if (outcomes.stream().anyMatch(o -> o instanceof Outcome.Failure)) {
                throw new IllegalStateException("the engine failed a sample image: " + outcomes);
            }
            if (round >= 2) {
                times.add(ms);
            }
        }
        times.sort(Comparator.naturalOrder());
        return Math.max(1, times.get(times.size() / 2));
    }

    private CameraRunResult runOnce(String bootstrap, String registryUrl, Path stateRoot, int run, InferenceEngine engine,
                                    String label, double framesPerSecond, boolean feed, long maxAge)
            throws InterruptedException {
        String in = "cams-" + run + ".images";
        String answersTopic = "cams-" + run + ".answers";
        String dlqTopic = "cams-" + run + ".dead-letters";
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            // one partition: one task holds every camera, so a batch can take one frame of each
            admin.createTopics(List.of(new NewTopic(in, 1, (short) 1),
                    new NewTopic(answersTopic, 1, (short) 1).configs(Map.of("message.timestamp.type", "LogAppendTime")),
                    new NewTopic(dlqTopic, 1, (short) 1))).all().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("creating the run's topics failed: " + e.getCause().getMessage(), e);
        }
        Map<String, String> s = settings(bootstrap, registryUrl, stateRoot, run, feed, maxAge);
        AppConfig config = AppConfig.from(ConfigSource.of(s));
        Map<String, Object> clients = Map.of("bootstrap.servers", bootstrap, "schema.registry.url", registryUrl);
        try (StreamsApp app = new StreamsApp(config, engine);
             SpecificAvroSerde<ImageEvent> events = serde(ImageEvent.class, clients);
             SpecificAvroSerde<Answer> answers = serde(Answer.class, clients);
             SpecificAvroSerde<DeadLetter> letters = serde(DeadLetter.class, clients);
             KafkaConsumer<byte[], byte[]> reader = committedReader(bootstrap, List.of(answersTopic, dlqTopic))) {
            app.start();
            long waitUntil = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (app.state() != KafkaStreams.State.RUNNING && System.nanoTime() < waitUntil) {
                Thread.sleep(50);
            }
            Sender sender = new Sender(bootstrap, events, in, framesPerSecond);
            Thread sending = new Thread(sender, "camera-sender");
            long t0 = System.nanoTime();
            sending.start();
            Tally tally = new Tally();
            long deadline = Long.MAX_VALUE;
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(20))) {
                    long now = System.currentTimeMillis();
                    if (r.topic().equals(answersTopic)) {
                        tally.answer(answers.deserializer().deserialize(r.topic(), r.value()), r.timestamp(), now);
                    } else {
                        tally.deadLetter(letters.deserializer().deserialize(r.topic(), r.value()));
                    }
                }
                if (!sending.isAlive()) {
                    if (deadline == Long.MAX_VALUE) {
                        deadline = System.nanoTime() + options.drainTimeout().toNanos();
                    }
                    if (tally.seen() >= sender.sent) {
                        break;
                    }
                }
            }
            sending.join();
            if (sender.failure != null) {
                throw new IllegalStateException("sending frames failed: " + sender.failure.getMessage(), sender.failure);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            return tally.result(label, feed, framesPerSecond, sender.sent, seconds);
        }
    }

    /** Sends frames round the cameras at a steady total rate for the run's seconds. */
    private final class Sender implements Runnable {
        private final String bootstrap;
        private final SpecificAvroSerde<ImageEvent> events;
        private final String topic;
        private final double framesPerSecond;
        volatile int sent;
        volatile Exception failure;

        Sender(String bootstrap, SpecificAvroSerde<ImageEvent> events, String topic, double framesPerSecond) {
            this.bootstrap = bootstrap;
            this.events = events;
            this.topic = topic;
            this.framesPerSecond = framesPerSecond;
        }

        @Override
        public void run() {
            List<SampleImages.Sample> samples = SampleImages.all();
            Map<String, Object> props = new HashMap<>();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
            long total = Math.max(1, Math.round(framesPerSecond * options.seconds()));
            try (KafkaProducer<String, ImageEvent> producer = new KafkaProducer<>(props, new StringSerializer(),
                    events.serializer())) {
                List<Future<RecordMetadata>> acks = new ArrayList<>();
                long t0 = System.nanoTime();
                for (long k = 0; k < total; k++) {
                    long due = t0 + (long) (k * 1e9 / framesPerSecond);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                    String camera = "cam-" + (k % options.cameras());
                    SampleImages.Sample s = samples.get((int) ((k % options.cameras()) % samples.size()));
                    long now = System.currentTimeMillis();
                    ImageEvent event = ImageEvent.newBuilder().setEventId(camera + "-" + k / options.cameras())
                            .setSourceId(camera).setEventTime(Instant.ofEpochMilli(now))
                            .setImage(InlineImage.newBuilder().setData(ByteBuffer.wrap(s.bytes())).setMediaType(s.mediaType()).build())
                            .setPrompt(null).setOverrides(null)
                            .setAttributes(Map.of(EVENT_TIME_ATTRIBUTE, Long.toString(now))).build();
                    acks.add(producer.send(new ProducerRecord<>(topic, camera, event)));
                }
                producer.flush();
                for (Future<RecordMetadata> ack : acks) {
                    ack.get();
                    sent++;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = e;
            } catch (ExecutionException e) {
                failure = e;
            }
        }
    }

    /** Counts what came back, once per frame. */
    private static final class Tally {
        private final Set<String> seenIds = new HashSet<>();
        private final Map<String, Integer> dropped = new TreeMap<>();
        private final Map<String, Long> lastFrameOfCamera = new HashMap<>();
        private final List<Long> latency = new ArrayList<>();
        private final List<Long> age = new ArrayList<>();
        private final List<Long> service = new ArrayList<>();
        private int answered;
        private int duplicates;
        private int outOfOrder;

        void answer(Answer a, long appendedAt, long readAt) {
            if (!seenIds.add(a.getEventId().toString())) {
                duplicates++;
                return;
            }
            answered++;
            long eventTime = Long.parseLong(a.getAttributes().get(EVENT_TIME_ATTRIBUTE).toString());
            latency.add(readAt - eventTime);
            age.add(appendedAt - eventTime);
            service.add(a.getTimings().getPreprocessMs() + a.getTimings().getEncodeMs() + a.getTimings().getDecodeMs());
            String id = a.getEventId().toString();
            String camera = id.substring(0, id.lastIndexOf('-'));
            long frame = Long.parseLong(id.substring(id.lastIndexOf('-') + 1));
            Long last = lastFrameOfCamera.put(camera, frame);
            if (last != null && last > frame) {
                outOfOrder++;
            }
        }

        void deadLetter(DeadLetter d) {
            if (d.getEventId() != null && !seenIds.add(d.getEventId().toString())) {
                duplicates++;
                return;
            }
            dropped.merge(d.getReason().name(), 1, Integer::sum);
        }

        int seen() {
            return seenIds.size();
        }

        CameraRunResult result(String label, boolean feed, double fps, int sent, double seconds) {
            return new CameraRunResult(label, feed, fps, sent, answered, dropped, duplicates, LatencyStats.of(toArray(latency)),
                    LatencyStats.of(toArray(age)), outOfOrder, seconds, LatencyStats.of(toArray(service)));
        }

        private static long[] toArray(List<Long> values) {
            return values.stream().mapToLong(Long::longValue).toArray();
        }
    }

    private void printRow(CameraRunResult r) {
        out.printf(Locale.ROOT, "run %-14s settings %-3s %.2f frames/s: sent %d, answered %d, dropped %s, duplicates %d, "
                        + "out of order %d; latency p50/p90/p95/p99/max %d/%d/%d/%d/%d ms; age at answer p50/p99/max "
                        + "%d/%d/%d ms; batch service in the run p50 %d ms; %.1f s%n",
                r.label(), r.feedSettings() ? "on" : "off", r.framesPerSecond(), r.sent(), r.answered(), r.dropped(),
                r.duplicates(), r.outOfOrder(), r.latency().p50(), r.latency().p90(), r.latency().p95(), r.latency().p99(),
                r.latency().max(), r.ageAtAnswer().p50(), r.ageAtAnswer().p99(), r.ageAtAnswer().max(), r.service().p50(), r.seconds());
    }

    private void printTable(List<CameraRunResult> results, long serviceMs, long maxAge) {
        out.println();
        out.println("| load | feed settings | frames/s | sent | answered | STALE | SUPERSEDED | other dropped | "
                + "latency p50 / p90 / p95 / p99 ms | age at answer p50 / max ms | batch service p50 ms | accounted |");
        out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (CameraRunResult r : results) {
            int stale = r.dropped().getOrDefault("STALE", 0);
            int superseded = r.dropped().getOrDefault("SUPERSEDED", 0);
            out.printf(Locale.ROOT, "| %s | %s | %.2f | %d | %d | %d | %d | %d | %d / %d / %d / %d | %d / %d | %d | %s |%n",
                    r.label(), r.feedSettings() ? "on" : "off", r.framesPerSecond(), r.sent(), r.answered(), stale, superseded,
                    r.droppedTotal() - stale - superseded, r.latency().p50(), r.latency().p90(), r.latency().p95(),
                    r.latency().p99(), r.ageAtAnswer().p50(), r.ageAtAnswer().max(), r.service().p50(),
                    r.accounted() ? "yes" : "NO");
        }
        CameraRunResult goal = results.get(results.size() - 1);
        out.printf(Locale.ROOT, "%ngoals at the last load (" + goal.label() + ") with the settings on: no answer older than max.event.age.ms %d: "
                        + "%s (oldest %d ms); p95 latency %d ms <= 2 x one batch measured before the runs (%d ms): %s, "
                        + "<= 2 x one batch in that run (p50 %d ms): %s; answered + dead-lettered = sent (%d + %d = %d): %s%n",
                maxAge, goal.ageAtAnswer().max() <= maxAge ? "met" : "NOT met", goal.ageAtAnswer().max(), goal.latency().p95(),
                2 * serviceMs, goal.latency().p95() <= 2 * serviceMs ? "met" : "NOT met", goal.service().p50(),
                goal.latency().p95() <= 2 * goal.service().p50() ? "met" : "NOT met", goal.answered(),
                goal.droppedTotal(), goal.sent(), goal.accounted() ? "met" : "NOT met");
    }

    private Map<String, String> settings(String bootstrap, String registryUrl, Path stateRoot, int run, boolean feed,
                                         long maxAge) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("application.id", "vlm-bench-cameras-" + run);
        s.put("bootstrap.servers", bootstrap);
        s.put("schema.registry.url", registryUrl);
        s.put("state.dir", stateRoot.resolve("run-" + run).toString());
        s.put("model.dir", options.modelDir().toString());
        s.put("model.dtype", options.dtype());
        s.put("engine.provider", "cpu");
        if (options.intraOpThreads() > 0) {
            s.put("engine.intra.op.threads", String.valueOf(options.intraOpThreads()));
        }
        s.put("engine.max.batch.size", String.valueOf(options.batchSize()));
        s.put("dead.letter.topic", "cams-" + run + ".dead-letters");
        s.put("shutdown.timeout.ms", "5000");
        s.put("pipelines", PIPELINE);
        String p = "pipeline." + PIPELINE + ".";
        s.put(p + "input.topics", "cams-" + run + ".images");
        s.put(p + "output.topic", "cams-" + run + ".answers");
        s.put(p + "prompt", PROMPT);
        s.put(p + "max.new.tokens", String.valueOf(options.maxNewTokens()));
        s.put(p + "batch.max.size", String.valueOf(options.batchSize()));
        s.put(p + "batch.linger.ms", "50");
        // camera latency: commit (and so publish) every 20 ms, send at once; the defaults add up to 200 ms
        s.put("commit.interval.ms", String.valueOf(COMMIT_INTERVAL_MS));
        s.put("producer.linger.ms", String.valueOf(PRODUCER_LINGER_MS));
        if (feed) {
            s.put(p + "max.event.age.ms", String.valueOf(maxAge));
            s.put(p + "latest.per.source", "true");
            s.put(p + "source.round.robin", "true");
        }
        return s;
    }

    private static KafkaConsumer<byte[], byte[]> committedReader(String bootstrap, List<String> topics) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = topics.stream().map(t -> new TopicPartition(t, 0)).toList();
        c.assign(parts);
        c.seekToBeginning(parts);
        return c;
    }

    private static <T extends org.apache.avro.specific.SpecificRecord> SpecificAvroSerde<T> serde(Class<T> type,
                                                                                                 Map<String, Object> configs) {
        SpecificAvroSerde<T> serde = new SpecificAvroSerde<>(type);
        serde.configure(configs, false);
        return serde;
    }

    private static long roundUp(long value, long step) {
        return (value + step - 1) / step * step;
    }



    /** The bench's one engine, lent to each run's application, which closes what it is given. */
    private static final class NonClosingEngine extends io.vlmstreams.inference.engine.ForwardingEngine {
        NonClosingEngine(InferenceEngine engine) {
            super(engine);
        }

        @Override
        public void close() {
            // the bench closes the engine after its last run
        }
    }
}
