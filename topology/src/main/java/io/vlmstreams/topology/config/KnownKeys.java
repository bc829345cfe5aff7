package io.vlmstreams.topology.config;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/** The keys a {@code VLM_} environment variable may set: vlm-streams' own, Kafka's and the registry's. */
final class KnownKeys {

    /** Keys vlm-streams reads itself (not passed to Kafka clients). */
    static final Set<String> OWN = Set.of(
            "model.dir", "model.dtype", "engine.provider", "engine.device.id",
            "engine.intra.op.threads", "engine.inter.op.threads", "engine.spin.wait", "engine.max.batch.size",
            "engine.max.batch.memory.mb", "engine.fault.inject.event-ids", "engine.cpu.arena", "engine.memory.pattern",
            "batch.max.size", "batch.max.image.tokens", "batch.linger.ms", "batch.reference.image.tokens",
            "dead.letter.topic", "dead.letter.max.value.bytes", "metrics.port", "pipelines",
            "fetch.allowed.schemes", "fetch.allowed.hosts", "fetch.allow.private.addresses",
            "fetch.max.bytes", "fetch.connect.timeout.ms", "fetch.timeout.ms", "fetch.max.redirects",
            "store.changelog.max.message.bytes", "shutdown.timeout.ms");

    /** Per-pipeline key suffixes, after {@code pipeline.<name>.}. */
    static final List<String> PIPELINE_SUFFIXES = List.of(
            "input.topics", "output.topic", "mode", "prompt", "labels", "max.new.tokens", "temperature",
            "top.k", "top.p", "min.p", "repetition.penalty", "min.image.tokens", "max.image.tokens", "max.prompt.chars",
            "batch.max.size", "batch.max.image.tokens", "batch.linger.ms");

    private static final Set<String> KAFKA = kafkaKeys();

    private KnownKeys() {
    }

    static boolean isOwn(String key) {
        return OWN.contains(key) || key.startsWith("pipeline.");
    }

    static boolean isRegistry(String key) {
        return key.startsWith("schema.registry.") || key.startsWith("basic.auth.");
    }

    static boolean isKnown(String key) {
        return OWN.contains(key) || isRegistry(key) || KAFKA.contains(key)
                || key.startsWith("sasl.") || key.startsWith("ssl.") || key.startsWith("security.");
    }

    static Set<String> pipelineKeys(List<String> pipelines) {
        Set<String> keys = new HashSet<>();
        for (String p : pipelines) {
            PIPELINE_SUFFIXES.forEach(s -> keys.add("pipeline." + p + "." + s));
        }
        return keys;
    }

    private static Set<String> kafkaKeys() {
        Set<String> keys = new HashSet<>(StreamsConfig.configDef().names());
        keys.addAll(ProducerConfig.configNames());
        keys.addAll(ConsumerConfig.configNames());
        keys.addAll(AdminClientConfig.configNames());
        return Set.copyOf(keys);
    }
}
