package io.vlmstreams.topology.config;

import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The Kafka Streams properties of an {@link AppConfig}: exactly-once defaults sized for batched
 * inference, overlaid with every pass-through setting (so an operator's explicit value wins).
 */
public final class StreamsSettings {

    /**
     * Transactions stay open while a batch runs; the producer's default 10 s would abort a slow batch.
     * Five minutes is well above any batch the limits allow and below the broker's 15-minute cap.
     */
    public static final int TRANSACTION_TIMEOUT_MS = 300_000;

    /** A stream thread is busy for one batch between polls; keep the group from evicting it meanwhile. */
    public static final int MAX_POLL_INTERVAL_MS = 600_000;

    private StreamsSettings() {
    }

    /** Streams properties for {@code config} (its {@code state.dir} among the pass-through settings). */
    public static Properties of(AppConfig config) {
        Properties p = new Properties();
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), TRANSACTION_TIMEOUT_MS);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG), MAX_POLL_INTERVAL_MS);
        // Inline images make records large; fetch fewer of them per poll so a poll's work stays bounded.
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), 100);
        // The pending-request changelog carries inline images: the producer must accept what the topic accepts.
        p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), config.changelogMaxMessageBytes());
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        p.putAll(config.kafkaSettings());
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        return p;
    }
}
