package io.vlmstreams.topology.app;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

import io.vlmstreams.inference.engine.InferenceEngine;
import io.vlmstreams.inference.engine.LocalInferenceEngine;
import io.vlmstreams.inference.engine.SwappableEngine;
import io.vlmstreams.schemas.serde.SchemaRegistryClient;
import io.vlmstreams.schemas.serde.SchemaRegistryClients;
import io.vlmstreams.topology.VlmTopology;
import io.vlmstreams.topology.config.AppConfig;
import io.vlmstreams.topology.config.Redaction;
import io.vlmstreams.topology.config.StreamsSettings;
import io.vlmstreams.topology.fetch.FetchPolicy;
import io.vlmstreams.topology.fetch.ImageFetcher;
import io.vlmstreams.topology.check.StartupCheck;
import io.vlmstreams.topology.ops.HealthWatch;
import io.vlmstreams.topology.ops.StreamsHealth;
import io.vlmstreams.topology.ops.VlmMetrics;
import io.vlmstreams.topology.ops.ui.LiveView;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running application: one engine, one registry client and one {@link KafkaStreams} over the
 * {@link VlmTopology}. A failing stream thread is replaced (its tasks restart from the last commit),
 * restores and state changes are logged plainly, and {@link #close()} stops Streams before the engine.
 */
public final class StreamsApp implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StreamsApp.class);

    private final AppConfig config;
    private final InferenceEngine engine;
    private final SchemaRegistryClient registry;
    private final KafkaStreams streams;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private final VlmMetrics metrics;
    private final boolean ownsMetrics;
    private final StreamsHealth health = new StreamsHealth();
    private final LiveView liveView;
    private volatile HealthWatch watch;

    /** Builds the application around {@code engine}, which it closes on {@link #close()}; meters on a registry of its own. */
    public StreamsApp(AppConfig config, InferenceEngine engine) {
        this(config, engine, new VlmMetrics(config.latencySlos()), true);
    }

    /**
     * Builds the application around {@code engine}, which it closes on {@link #close()}, recording to
     * {@code metrics} (which the caller closes: an endpoint may still serve them).
     */
    public StreamsApp(AppConfig config, InferenceEngine engine, VlmMetrics metrics) {
        this(config, engine, metrics, false);
    }

    private StreamsApp(AppConfig config, InferenceEngine engine, VlmMetrics metrics, boolean ownsMetrics) {
        this.config = config;
        this.engine = engine;
        this.metrics = metrics;
        this.ownsMetrics = ownsMetrics;
        this.registry = SchemaRegistryClients.create(config.serdeConfigs());
        Properties props = StreamsSettings.of(config);
        org.apache.kafka.streams.Topology topology = VlmTopology.build(config, engine,
                new ImageFetcher(new FetchPolicy(config.fetch())), registry, metrics);
        // The live view taps the clients Streams already has (no consumer of its own); off, Streams' defaults.
        this.liveView = config.ui().enabled() ? new LiveView(config, registry, metrics, engine.modelId()) : null;
        this.streams = liveView == null ? new KafkaStreams(topology, props)
                : new KafkaStreams(topology, props, liveView.clientSupplier());
        metrics.bindStreams(streams);
        metrics.executionProvider(engine.executionProvider());
        metrics.imageCacheHits(engine::imageCacheHits);
        if (engine instanceof LocalInferenceEngine local) {
            metrics.decodingSequences(local::decodingSequences);
        } else if (engine instanceof SwappableEngine swappable) {
            metrics.decodingSequences(swappable::decodingSequences);
        }
        streams.setUncaughtExceptionHandler(exception -> {
            log.error("Stream thread failed; replacing it (its tasks resume from the last commit)", exception);
            health.threadFailed(exception);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((now, before) -> {
            log.info("Application state {} -> {}", before, now);
            health.onChange(now, before);
            if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
                stopped.countDown();
            }
        });
        streams.setGlobalStateRestoreListener(new RestoreLogger());
        log.info("Starting {} with model {} on {}; Streams settings {}", config.applicationId(), engine.modelId(),
                engine.executionProvider(), Redaction.redact(asMap(props)));
    }

    private static java.util.Map<String, Object> asMap(Properties props) {
        java.util.Map<String, Object> out = new java.util.TreeMap<>();
        props.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }

    /** Starts processing and the periodic health checks; returns at once. */
    public void start() {
        if (liveView != null) {
            liveView.start();
        }
        watch = HealthWatch.start(StartupCheck.kafkaSettings(config), config.serdeConfigs(), StartupCheck.topics(config),
                config.healthCheckInterval(), config.startupCheckTimeout(), health);
        streams.start();
    }

    /** Blocks until Streams stops (closed, or failed beyond thread replacement). */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /** The model answering, e.g. {@code tiny-onnx:fp32}. */
    public String modelId() {
        return engine.modelId();
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /** Liveness and readiness, for the {@link io.vlmstreams.topology.ops.OpsServer}. */
    public StreamsHealth health() {
        return health;
    }

    /** The live view, when {@code ui.enabled}; mount it on the ops server with {@link LiveView#mount}. */
    public java.util.Optional<LiveView> liveView() {
        return java.util.Optional.ofNullable(liveView);
    }

    /** The application's meters. */
    public VlmMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Duration timeout = config.shutdownTimeout();
        log.info("Stopping {} (waiting up to {} ms for the current batches)", config.applicationId(), timeout.toMillis());
        try {
            if (watch != null) {
                watch.close();
            }
            streams.close(timeout);
        } finally {
            metrics.unbindStreams();
            if (liveView != null) {
                liveView.close();
            }
            try {
                engine.close();
            } finally {
                registry.close();
                if (ownsMetrics) {
                    metrics.close();
                }
            }
        }
        log.info("Stopped {}", config.applicationId());
    }

    /** Logs restoration of pending-request stores; after an unclean stop under exactly-once this can take a while. */
    private static final class RestoreLogger implements StateRestoreListener {
        @Override
        public void onRestoreStart(TopicPartition partition, String store, long startOffset, long endOffset) {
            log.info("Restoring store {} from {} offsets {}..{}", store, partition, startOffset, endOffset);
        }

        @Override
        public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long restored) {
        }

        @Override
        public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {
            log.info("Restored store {} from {}: {} records", store, partition, totalRestored);
        }
    }
}
