package io.vlmstreams.cli.sandbox;

import java.util.List;
import java.util.Map;

import io.vlmstreams.devstack.kafka.EmbeddedKafkaCluster;
import io.vlmstreams.devstack.registry.TestSchemaRegistryServer;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The sandbox's infrastructure: a real single-node Kafka (KRaft, in a child JVM) and the
 * in-process schema registry. {@link #close()} stops the registry, then kills the broker and
 * deletes its data: every sandbox starts empty.
 */
public final class SandboxServices implements AutoCloseable {

    private final EmbeddedKafkaCluster kafka;
    private final TestSchemaRegistryServer registry;

    private SandboxServices(EmbeddedKafkaCluster kafka, TestSchemaRegistryServer registry) {
        this.kafka = kafka;
        this.registry = registry;
    }

    /** Starts the broker (a few seconds) and the registry, each on a free port. */
    public static SandboxServices start() {
        return start(0, 0);
    }

    /** Starts the broker on {@code kafkaPort} and the registry on {@code registryPort} (0: a free port). */
    public static SandboxServices start(int kafkaPort, int registryPort) {
        EmbeddedKafkaCluster kafka = new EmbeddedKafkaCluster(
                io.vlmstreams.devstack.kafka.KafkaClusterOptions.defaults().withPort(kafkaPort)).start();
        try {
            return new SandboxServices(kafka, TestSchemaRegistryServer.builder().port(registryPort).start());
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public String registryUrl() {
        return registry.url();
    }

    /** Settings for clients and serdes: bootstrap servers and registry URL. */
    public Map<String, Object> clientConfigs() {
        return Map.of("bootstrap.servers", bootstrapServers(), "schema.registry.url", registryUrl());
    }

    /** Creates each topic with {@code partitions} partitions (replication 1, a single broker). */
    public void createTopics(List<String> names, int partitions) {
        kafka.createTopics(names.stream().map(n -> new NewTopic(n, partitions, (short) 1)).toList());
    }

    /** Creates each topic with {@code partitions} partitions, replication 1 and topic settings {@code configs}. */
    public void createTopics(List<String> names, int partitions, Map<String, String> configs) {
        kafka.createTopics(names.stream().map(n -> new NewTopic(n, partitions, (short) 1).configs(configs)).toList());
    }

    @Override
    public void close() {
        try {
            registry.close();
        } finally {
            kafka.close();
        }
    }
}
