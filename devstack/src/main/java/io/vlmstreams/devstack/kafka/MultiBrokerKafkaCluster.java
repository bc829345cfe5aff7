package io.vlmstreams.devstack.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real multi-node Apache Kafka cluster on 127.0.0.1: {@code nodes} child JVMs, each a KRaft
 * broker and controller, one quorum of all of them, PLAINTEXT. Topics are replicated to every node
 * and need {@code nodes - 1} in sync ({@code min.insync.replicas}), so one node may be down while
 * exactly-once producers keep writing. Nodes are stopped, killed and restarted one at a time.
 */
public final class MultiBrokerKafkaCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MultiBrokerKafkaCluster.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(60);

    private final int nodes;
    private final KafkaClusterOptions options;
    private final List<BrokerLayout> layouts = new ArrayList<>();
    private final BrokerProcess[] brokers;
    private final int[] ports;
    private Path root;
    private String clusterId;
    private Admin admin;
    private Thread shutdownHook;
    private boolean closed;

    /** {@code nodes} nodes (3 or more for a meaningful quorum) with {@code options}' heap and JVM flags. */
    public MultiBrokerKafkaCluster(int nodes, KafkaClusterOptions options) {
        if (nodes < 2) {
            throw new IllegalArgumentException("a multi-broker cluster needs at least 2 nodes, got " + nodes);
        }
        if (options.saslPlain().isPresent() || options.tls().isPresent()) {
            throw new IllegalArgumentException("the multi-broker cluster is PLAINTEXT only");
        }
        this.nodes = nodes;
        this.options = options;
        this.brokers = new BrokerProcess[nodes];
        this.ports = new int[nodes];
    }

    /** Writes every node's configuration, launches them together (the quorum needs a majority) and waits until all are seen. */
    public synchronized MultiBrokerKafkaCluster start() {
        try {
            root = Files.createTempDirectory("vlm-kafka-cluster-");
            clusterId = Uuid.randomUuid().toString();
            int[] free = KafkaNodes.freePorts(2 * nodes);
            int[] controllerPorts = new int[nodes];
            for (int i = 0; i < nodes; i++) {
                ports[i] = free[i];
                controllerPorts[i] = free[nodes + i];
            }
            String voters = IntStream.range(0, nodes).mapToObj(i -> (i + 1) + "@127.0.0.1:" + controllerPorts[i])
                    .collect(Collectors.joining(","));
            for (int i = 0; i < nodes; i++) {
                BrokerLayout layout = new BrokerLayout(Files.createDirectories(root.resolve("node-" + (i + 1))));
                layouts.add(layout);
                Map<String, String> p = BrokerConfig.serverProperties(options, ports[i], controllerPorts[i], layout.dataDir());
                p.putAll(replicated(i + 1, voters));
                // what the caller set still wins
                p.putAll(options.brokerProperties());
                KafkaNodes.writeProperties(layout.serverProperties(), p, "KRaft node written by MultiBrokerKafkaCluster");
                BrokerLogging.writeConfig(layout.loggingConfig());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the Kafka cluster directories", e);
        }
        shutdownHook = KafkaNodes.addShutdownHook(this::killAll, "multi-broker-kafka-shutdown");
        try {
            for (int i = 0; i < nodes; i++) {
                launch(i);
            }
            awaitNodes(nodes);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        LOG.info("Kafka cluster of {} nodes up at {}", nodes, bootstrapServers());
        return this;
    }

    private Map<String, String> replicated(int nodeId, String voters) {
        Map<String, String> p = new HashMap<>();
        String rf = String.valueOf(nodes);
        String isr = String.valueOf(nodes - 1);
        p.put("node.id", String.valueOf(nodeId));
        p.put("controller.quorum.voters", voters);
        p.put("offsets.topic.replication.factor", rf);
        p.put("transaction.state.log.replication.factor", rf);
        p.put("transaction.state.log.min.isr", isr);
        p.put("share.coordinator.state.topic.replication.factor", rf);
        p.put("share.coordinator.state.topic.min.isr", isr);
        p.put("default.replication.factor", rf);
        p.put("min.insync.replicas", isr);
        return p;
    }

    /** Every node's client listener, comma-separated. */
    public String bootstrapServers() {
        return IntStream.range(0, nodes).mapToObj(i -> "127.0.0.1:" + ports[i]).collect(Collectors.joining(","));
    }

    /** {@code bootstrap.servers} and {@code security.protocol}; a fresh mutable map each call. */
    public Map<String, Object> clientProperties() {
        Map<String, Object> props = new HashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT");
        return props;
    }

    /** Number of nodes. */
    public int size() {
        return nodes;
    }

    /** An Admin client owned by the cluster (do not close it). */
    public synchronized Admin admin() {
        if (admin == null) {
            admin = Admin.create(clientProperties());
        }
        return admin;
    }

    /** Creates a topic replicated to every node and waits until each partition has a leader and a full ISR. */
    public void createTopic(String name, int partitions) {
        try {
            admin().createTopics(List.of(new NewTopic(name, partitions, (short) nodes)))
                    .all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
            while (true) {
                try {
                    TopicDescription d = admin().describeTopics(List.of(name)).allTopicNames().get().get(name);
                    if (d.partitions().size() == partitions && d.partitions().stream()
                            .allMatch(p -> p.leader() != null && p.isr().size() == nodes)) {
                        return;
                    }
                } catch (ExecutionException e) {
                    // metadata may lag the controller for a moment
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("topic " + name + " not fully replicated after " + ADMIN_TIMEOUT);
                }
                sleep(POLL);
            }
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot create topic " + name + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Stops node {@code index} (0-based) gracefully (SIGTERM); its data stays. */
    public synchronized void stopBroker(int index) {
        if (brokers[index] != null) {
            brokers[index].stop();
            brokers[index] = null;
        }
    }

    /** Kills node {@code index} (SIGKILL), like a crashed machine. */
    public synchronized void killBroker(int index) {
        if (brokers[index] != null) {
            brokers[index].kill();
            brokers[index] = null;
        }
    }

    /** Starts node {@code index} again on its ports and data; returns once the cluster sees every node. */
    public synchronized void restartBroker(int index) {
        stopBroker(index);
        launch(index);
        awaitNodes(nodes);
    }

    /** The broker log of node {@code index}. */
    public Path logFile(int index) {
        return layouts.get(index).logFile();
    }

    private void launch(int i) {
        try {
            brokers[i] = BrokerProcess.launch(layouts.get(i), options, clusterId);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot launch Kafka node " + (i + 1), e);
        }
    }

    private void awaitNodes(int expected) {
        long deadline = System.nanoTime() + options.startTimeout().toNanos();
        for (int i = 0; i < nodes; i++) {
            while (brokers[i] != null && !KafkaNodes.accepts(ports[i])) {
                check(i, deadline);
                sleep(POLL);
            }
        }
        Map<String, Object> probeProps = clientProperties();
        probeProps.put(CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200);
        try (Admin probe = Admin.create(probeProps)) {
            while (true) {
                try {
                    if (probe.describeCluster(new DescribeClusterOptions().timeoutMs(2_000)).nodes().get().size() >= expected) {
                        return;
                    }
                } catch (ExecutionException e) {
                    // not up yet
                }
                for (int i = 0; i < nodes; i++) {
                    check(i, deadline);
                }
                sleep(POLL);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for the Kafka cluster", e);
        }
    }

    private void check(int i, long deadline) {
        if (brokers[i] != null && !brokers[i].isAlive()) {
            throw new IllegalStateException("Kafka node " + (i + 1) + " exited with code " + brokers[i].exitValue()
                    + "; last lines of " + logFile(i) + ":" + System.lineSeparator() + MoreFiles.tail(logFile(i), 40));
        }
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException("the Kafka cluster was not up within " + options.startTimeout()
                    + "; last lines of " + logFile(i) + ":" + System.lineSeparator() + MoreFiles.tail(logFile(i), 40));
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        KafkaNodes.removeShutdownHook(shutdownHook);
        if (admin != null) {
            admin.close(Duration.ZERO);
        }
        killAll();
    }

    private void killAll() {
        for (int i = 0; i < nodes; i++) {
            BrokerProcess b = brokers[i];
            if (b != null) {
                b.kill();
                brokers[i] = null;
            }
        }
        if (root != null) {
            try {
                MoreFiles.deleteRecursively(root);
            } catch (IOException | UncheckedIOException e) {
                LOG.warn("Could not delete {}: {}", root, e.toString());
            }
        }
    }

    private static void sleep(Duration d) {
        KafkaNodes.sleep(d, "interrupted");
    }
}
