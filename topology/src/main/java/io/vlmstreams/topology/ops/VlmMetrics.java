package io.vlmstreams.topology.ops;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vlmstreams.schemas.Answer;
import io.vlmstreams.schemas.DeadLetter;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The application's meters on a Prometheus registry, with one method per event so the processor
 * records each with one line. Thread-safe: stream threads share one instance.
 *
 * <p>Meters (Prometheus names): {@code vlm_records_in_total{pipeline}},
 * {@code vlm_records_out_total{pipeline}}, {@code vlm_dead_letters_total{pipeline,reason}},
 * {@code vlm_batch_size{pipeline}} and {@code vlm_batch_image_tokens{pipeline}} (histograms),
 * {@code vlm_batch_duration_seconds{pipeline}}, {@code vlm_stage_latency_seconds{pipeline,stage}}
 * (stage = queued, preprocess, encode, decode), {@code vlm_generated_tokens_total{pipeline}}
 * (tokens/s is its rate), {@code vlm_pending_requests{pipeline}},
 * {@code vlm_engine_provider{provider}} (1 for the provider in use), {@code vlm_engine_decoding_sequences}, {@code vlm_image_cache_hits_total},
 * the JVM's and the process's ({@code jvm_*}, {@code process_*}, {@code system_*}), and Kafka Streams' own
 * metrics as {@code kafka_stream_*} once {@link #bindStreams} is called. The latency histograms have a few
 * SLO buckets ({@code metrics.latency.slo.ms}) rather than a percentile ladder of ~70 buckets per series.
 */
public final class VlmMetrics implements AutoCloseable {

    /** Tag value for a dead letter whose pipeline is not known (bytes that never decoded). */
    public static final String UNKNOWN_PIPELINE = "unknown";

    private static final String[] STAGES = {"queued", "preprocess", "encode", "decode"};
    private static final double[] BATCH_SIZE_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128};
    private static final double[] IMAGE_TOKEN_BUCKETS = {64, 256, 512, 1024, 2048, 4096, 8192, 16384};

    private final PrometheusMeterRegistry registry;
    private final Map<String, AtomicInteger> pendingByTask = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> pendingByPipeline = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> providers = new ConcurrentHashMap<>();
    private volatile KafkaStreamsMetrics streamsMetrics;
    private final Duration[] latencySlos;
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
    /**
     * What the decode gauge reads. Micrometer holds a gauge's state object weakly, so a lambda handed straight to
     * it is collected and the gauge reads NaN; this field keeps it (and lets a new engine replace an old one).
     */
    private final AtomicReference<IntSupplier> decoding = new AtomicReference<>(() -> 0);
    private final AtomicInteger decodingGaugeRegistered = new AtomicInteger();
    private volatile java.util.function.LongSupplier imageCacheHits = () -> 0;

    /** The default latency buckets, as {@code metrics.latency.slo.ms} defaults them. */
    public static final List<Duration> DEFAULT_LATENCY_SLOS = List.of(50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000)
            .stream().map(Duration::ofMillis).toList();

    /** Meters on a new Prometheus registry with the default latency buckets. */
    public VlmMetrics() {
        this(DEFAULT_LATENCY_SLOS);
    }

    /** Meters on a new Prometheus registry; the latency histograms get these bucket bounds. */
    public VlmMetrics(List<Duration> latencySlos) {
        this(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), latencySlos);
    }

    public VlmMetrics(PrometheusMeterRegistry registry) {
        this(registry, DEFAULT_LATENCY_SLOS);
    }

    public VlmMetrics(PrometheusMeterRegistry registry, List<Duration> latencySlos) {
        if (latencySlos.isEmpty()) {
            throw new IllegalArgumentException("at least one latency bucket bound is needed");
        }
        this.registry = registry;
        this.latencySlos = latencySlos.toArray(Duration[]::new);
        // what every JVM service is expected to expose: memory, GC, threads, classes, CPU, uptime, open files
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    /** The registry, for callers adding meters of their own. */
    public MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }

    /** The meters of one pipeline, for its processor. */
    public PipelineMetrics pipeline(String pipeline) {
        return new PipelineMetrics(this, pipeline);
    }

    /** A record arrived at {@code pipeline}'s processor. */
    public void received(String pipeline) {
        Counter.builder("vlm.records.in").description("Records read from the pipeline's input topics")
                .tag("pipeline", pipeline).register(registry).increment();
    }

    /** An answer left: counts it, its generated tokens and its stage latencies. */
    public void answered(Answer answer) {
        answered(answer.getPipeline(), answer.getGeneratedTokens(), StageTimes.of(answer.getTimings()));
    }

    /**
     * An answer left {@code pipeline} after generating {@code generatedTokens}. Counted when forwarded, before its
     * transaction commits: an aborted transaction's answers are counted, and counted again when re-processed.
     */
    public void answered(String pipeline, int generatedTokens, StageTimes times) {
        Counter.builder("vlm.records.out").description("Answers written")
                .tag("pipeline", pipeline).register(registry).increment();
        Counter.builder("vlm.generated.tokens").description("Tokens generated; its rate is tokens per second")
                .baseUnit("tokens").tag("pipeline", pipeline).register(registry).increment(generatedTokens);
        long[] ms = {times.queuedMs(), times.preprocessMs(), times.encodeMs(), times.decodeMs()};
        for (int i = 0; i < STAGES.length; i++) {
            stageTimer(pipeline, STAGES[i]).record(Math.max(0, ms[i]), TimeUnit.MILLISECONDS);
        }
    }

    /** A record went to the dead-letter topic. */
    public void deadLettered(DeadLetter deadLetter) {
        deadLettered(deadLetter.getPipeline() == null ? UNKNOWN_PIPELINE : deadLetter.getPipeline(),
                deadLetter.getReason().name());
    }

    /** A record of {@code pipeline} went to the dead-letter topic for {@code reason}. */
    public void deadLettered(String pipeline, String reason) {
        Counter.builder("vlm.dead.letters").description("Records dead-lettered, by reason")
                .tags("pipeline", pipeline, "reason", reason).register(registry).increment();
    }

    /** A batch of {@code size} requests and {@code imageTokens} estimated image tokens ran in {@code elapsed}. */
    public void batchCompleted(String pipeline, int size, int imageTokens, Duration elapsed) {
        DistributionSummary.builder("vlm.batch.size").description("Requests per batch")
                .tag("pipeline", pipeline).serviceLevelObjectives(BATCH_SIZE_BUCKETS)
                .register(registry).record(size);
        DistributionSummary.builder("vlm.batch.image.tokens").description("Estimated image tokens per batch")
                .baseUnit("tokens").tag("pipeline", pipeline).serviceLevelObjectives(IMAGE_TOKEN_BUCKETS)
                .register(registry).record(imageTokens);
        Timer.builder("vlm.batch.duration").description("Wall-clock time of a batch, fetch to last answer")
                .tag("pipeline", pipeline).serviceLevelObjectives(latencySlos)
                .register(registry).record(elapsed);
    }

    /**
     * Sets the pending requests of one task of {@code pipeline} (each task's processor knows its
     * own store); the gauge is their sum. Call with 0 when the task closes so a migrated task is
     * not counted twice.
     */
    public void pending(String pipeline, String taskId, int count) {
        AtomicInteger total = pendingByPipeline.computeIfAbsent(pipeline, p -> {
            AtomicInteger value = new AtomicInteger();
            Gauge.builder("vlm.pending.requests", value, AtomicInteger::get)
                    .description("Requests stored and waiting for their batch").tag("pipeline", p).register(registry);
            return value;
        });
        // One lock per pipeline total keeps the task value and the sum consistent.
        synchronized (total) {
            AtomicInteger task = pendingByTask.computeIfAbsent(pipeline + '\u0000' + taskId, k -> new AtomicInteger());
            total.addAndGet(count - task.getAndSet(count));
        }
    }

    /** Marks {@code provider} (e.g. {@code CPU}, {@code CUDA:0}) as the execution provider in use. */
    /** {@code vlm_image_cache_hits_total}: requests whose image features came from the engine's image cache. */
    public void imageCacheHits(java.util.function.LongSupplier hits) {
        // Micrometer holds the counted object weakly: keep it here, as long as the meters
        this.imageCacheHits = hits;
        io.micrometer.core.instrument.FunctionCounter.builder("vlm.image.cache.hits", this, m -> (double) m.imageCacheHits.getAsLong())
                .description("Requests whose vision features came from the image cache (a repost of the same image)")
                .register(registry);
    }

    public void executionProvider(String provider) {
        providers.forEach((name, value) -> value.set(name.equals(provider) ? 1 : 0));
        providers.computeIfAbsent(provider, p -> {
            AtomicInteger value = new AtomicInteger(1);
            Gauge.builder("vlm.engine.provider", value, AtomicInteger::get)
                    .description("1 for the ONNX Runtime execution provider in use").tags(Tags.of("provider", p))
                    .register(registry);
            return value;
        }).set(1);
    }

    /**
     * Publishes the engine's running decode batch size (sequences from every task and pipeline); a later call
     * (a new engine) replaces the source.
     */
    public void decodingSequences(IntSupplier sequences) {
        decoding.set(sequences);
        if (decodingGaugeRegistered.getAndIncrement() == 0) {
            Gauge.builder("vlm.engine.decoding.sequences", decoding, d -> d.get().getAsInt())
                    .description("Sequences in the engine's running decode batch").strongReference(true).register(registry);
        }
    }

    /** Binds Kafka Streams' own metrics (threads, tasks, processors, clients); replaces an earlier binding. */
    public synchronized void bindStreams(KafkaStreams streams) {
        unbindStreams();
        KafkaStreamsMetrics bound = new KafkaStreamsMetrics(streams);
        bound.bindTo(registry);
        streamsMetrics = bound;
    }

    /** Stops mirroring Kafka Streams' metrics, for example before the client closes. */
    public synchronized void unbindStreams() {
        KafkaStreamsMetrics bound = streamsMetrics;
        streamsMetrics = null;
        if (bound != null) {
            bound.close();
        }
    }

    private Timer stageTimer(String pipeline, String stage) {
        return Timer.builder("vlm.stage.latency").description("Per-request time in each stage")
                .tags("pipeline", pipeline, "stage", stage).serviceLevelObjectives(latencySlos)
                .register(registry);
    }

    @Override
    public synchronized void close() {
        unbindStreams();
        gcMetrics.close();
        registry.close();
    }
}
