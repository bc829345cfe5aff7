package io.vlmstreams.devstack.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Apache Kafka (KRaft broker+controller) on 127.0.0.1, run in a child JVM
 * from the jars of this JVM's classpath: no Docker, no mocks.
 *
 * <p>The child lives in its own temporary work directory (config, {@code broker.log}, data) and
 * dies with this JVM: a shutdown hook kills it on a normal exit, and {@link BrokerMain} halts
 * it when this JVM disappears without running hooks (SIGKILL). {@link #close()} kills the broker
 * and deletes the work directory.
 *
 * <pre>{@code
 * try (EmbeddedKafkaCluster kafka = new EmbeddedKafkaCluster().start()) {
 *     kafka.createTopic("images", 3);
 *     Map<String, Object> props = kafka.clientProperties();
 *     ...
 * }
 * }</pre>
 */
public final class EmbeddedKafkaCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaCluster.class);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
    private static final int LOG_TAIL_LINES = 40;

    private final KafkaClusterOptions options;
    // volatile: the shutdown hook reads these without taking the lock a stuck caller may hold.
    private volatile BrokerLayout layout;
    private String clusterId;
    private int port;
    private int controllerPort;
    private volatile BrokerProcess broker;
    private Admin admin;
    private Thread shutdownHook;
    private Duration lastStartTime = Duration.ZERO;
    private boolean closed;

    /** A cluster with {@link KafkaClusterOptions#defaults()}; call {@link #start()}. */
    public EmbeddedKafkaCluster() {
        this(KafkaClusterOptions.defaults());
    }

    public EmbeddedKafkaCluster(KafkaClusterOptions options) {
        this.options = options;
    }

    /**
     * Creates the work directory, formats the storage and starts the broker, returning once an
     * Admin client sees the node.
     *
     * @throws IllegalStateException if the broker exits or is not up within the start timeout; the
     *                               message carries the tail of the broker log, and the cluster
     *                               is closed
     */
    public synchronized EmbeddedKafkaCluster start() {
        if (closed || layout != null) {
            throw new IllegalStateException(closed ? "cluster is closed" : "cluster already started");
        }
        try {
            layout = new BrokerLayout(Files.createTempDirectory("vlm-kafka-"));
            // What `kafka-storage.sh random-uuid` prints; kept so restarts find the same cluster.
            clusterId = Uuid.randomUuid().toString();
            BrokerLogging.writeConfig(layout.loggingConfig());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the Kafka work directory", e);
        }
        shutdownHook = KafkaNodes.addShutdownHook(this::killAndDelete, "embedded-kafka-shutdown");
        for (int attempt = 1; ; attempt++) {
            try {
                choosePorts();
                launchAndAwait();
                return this;
            } catch (RuntimeException e) {
                // A free port can be taken by another process before the broker JVM binds it: choose again.
                if (attempt < PORT_ATTEMPTS && portsWereChosen() && portTaken(e)) {
                    LOG.info("Kafka broker port {} or {} was taken before the broker bound it; choosing others", port, controllerPort);
                    continue;
                }
                // `try (var kafka = new EmbeddedKafkaCluster().start())` never closes what start() left.
                close();
                throw e;
            }
        }
    }

    /** Tries of {@link #start} when a chosen port turns out taken. */
    private static final int PORT_ATTEMPTS = 3;

    private void choosePorts() {
        try {
            int[] ports = KafkaNodes.freePorts(2);
            port = options.port() == 0 ? ports[0] : options.port();
            controllerPort = ports[1];
            KafkaNodes.writeProperties(layout.serverProperties(),
                    BrokerConfig.serverProperties(options, port, controllerPort, layout.dataDir()),
                    "single-node KRaft broker written by EmbeddedKafkaCluster");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the Kafka work directory", e);
        }
    }

    /** Whether a failed start may simply retry on other ports: they were chosen here, not asked for. */
    private boolean portsWereChosen() {
        return options.port() == 0;
    }

    private static boolean portTaken(RuntimeException e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("Unable to start acceptor") || m.contains("Address already in use");
    }

    /** {@code 127.0.0.1:port} of the client listener. */
    public String bootstrapServers() {
        requireStarted();
        return "127.0.0.1:" + port;
    }

    /**
     * What any client (producer, consumer, admin, Streams) needs to reach this cluster:
     * {@code bootstrap.servers}, {@code security.protocol}, with SASL/PLAIN the mechanism and JAAS
     * login of the configured user, and with TLS the trust store (and the client key store when
     * client certificates are required). A fresh mutable map each call.
     */
    public Map<String, Object> clientProperties() {
        Map<String, Object> props = new HashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, BrokerConfig.clientProtocol(options));
        options.saslPlain().ifPresent(sasl -> {
            props.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
            props.put(SaslConfigs.SASL_JAAS_CONFIG, sasl.clientJaasConfig());
        });
        options.tls().ifPresent(tls -> props.putAll(tls.clientProperties()));
        return props;
    }

    public KafkaClusterOptions options() {
        return options;
    }

    /** The broker's work directory: {@code server.properties}, {@code broker.log}, {@code data/}. */
    public Path workDir() {
        requireStarted();
        return layout.workDir();
    }

    /** The broker JVM's stdout and stderr (its logging at WARN). */
    public Path logFile() {
        requireStarted();
        return layout.logFile();
    }

    /** How long the last start or restart took, from launching the JVM to an Admin client seeing the node. */
    public Duration lastStartTime() {
        return lastStartTime;
    }

    /** An Admin client owned by this cluster (do not close it); a new one after each broker restart. */
    public synchronized Admin admin() {
        requireStarted();
        if (admin == null) {
            admin = Admin.create(clientProperties());
        }
        return admin;
    }

    public void createTopic(String name, int partitions) {
        createTopic(name, partitions, Map.of());
    }

    public void createTopic(String name, int partitions, Map<String, String> configs) {
        createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)));
    }

    /**
     * Creates the topics and waits until every partition has a leader, so clients can use them at once.
     */
    public void createTopics(Collection<NewTopic> topics) {
        try {
            admin().createTopics(topics).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            awaitLeaders(topics.stream().collect(Collectors.toMap(NewTopic::name, NewTopic::numPartitions)));
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create topics " + names(topics) + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("creating topics " + names(topics) + " timed out after " + ADMIN_TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted creating topics " + names(topics), e);
        }
    }

    /** The broker JVM's process id while it runs. */
    public OptionalLong brokerPid() {
        BrokerProcess running = broker;
        return running != null && running.isAlive() ? OptionalLong.of(running.pid()) : OptionalLong.empty();
    }

    public synchronized boolean isBrokerRunning() {
        return broker != null && broker.isAlive();
    }

    /** Stops the broker gracefully (SIGTERM, its shutdown hook runs); the data stays. */
    public synchronized void stopBroker() {
        requireStarted();
        closeAdmin();
        if (broker != null) {
            broker.stop();
            broker = null;
        }
    }

    /** Kills the broker (SIGKILL), like a crash: no clean shutdown, unflushed data may need recovery. */
    public synchronized void killBroker() {
        requireStarted();
        closeAdmin();
        if (broker != null) {
            broker.kill();
            broker = null;
        }
    }

    /**
     * Starts the broker again on the same ports and data directory, stopping it gracefully first if
     * it runs; returns once it is up.
     */
    public synchronized void restartBroker() {
        requireStarted();
        if (closed) {
            throw new IllegalStateException("cluster is closed");
        }
        stopBroker();
        launchAndAwait();
    }

    /** Kills the broker and deletes the work directory. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        KafkaNodes.removeShutdownHook(shutdownHook);
        closeAdmin();
        killAndDelete();
    }

    private void launchAndAwait() {
        long started = System.nanoTime();
        try {
            broker = BrokerProcess.launch(layout, options, clusterId);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot launch the Kafka broker JVM", e);
        }
        awaitBrokerUp();
        lastStartTime = Duration.ofNanos(System.nanoTime() - started);
        LOG.info("Kafka broker up at {} in {} ms (pid {}, work dir {})",
                bootstrapServers(), lastStartTime.toMillis(), broker.pid(), layout.workDir());
    }

    private void awaitBrokerUp() {
        long deadline = System.nanoTime() + options.startTimeout().toNanos();
        // A plain socket first: an Admin client logs a warning for every refused connection.
        while (!listenerAccepts()) {
            checkStarting(deadline);
            sleep(POLL);
        }
        Map<String, Object> probeProps = clientProperties();
        probeProps.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200);
        probeProps.put(AdminClientConfig.CLIENT_ID_CONFIG, "embedded-kafka-start-probe");
        try (Admin probe = Admin.create(probeProps)) {
            while (!seesNode(probe)) {
                checkStarting(deadline);
                sleep(POLL);
            }
        }
    }

    private void checkStarting(long deadline) {
        if (!broker.isAlive()) {
            throw startFailure("the Kafka broker JVM exited with code " + broker.exitValue() + " while starting");
        }
        if (System.nanoTime() > deadline) {
            broker.kill();
            throw startFailure("the Kafka broker was not up within " + options.startTimeout());
        }
    }

    private boolean listenerAccepts() {
        return KafkaNodes.accepts(port);
    }

    private static boolean seesNode(Admin probe) {
        try {
            Collection<Node> nodes = probe.describeCluster(new DescribeClusterOptions().timeoutMs(1_000)).nodes().get();
            return !nodes.isEmpty();
        } catch (ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for the Kafka broker", e);
        }
    }

    private IllegalStateException startFailure(String what) {
        return new IllegalStateException(what + "; last lines of " + layout.logFile() + ":"
                + System.lineSeparator() + MoreFiles.tail(layout.logFile(), LOG_TAIL_LINES));
    }

    private void awaitLeaders(Map<String, Integer> partitionsByTopic) throws InterruptedException, ExecutionException {
        long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
        while (true) {
            try {
                Map<String, TopicDescription> descriptions =
                        admin().describeTopics(partitionsByTopic.keySet()).allTopicNames().get();
                boolean ready = partitionsByTopic.entrySet().stream().allMatch(e -> {
                    TopicDescription d = descriptions.get(e.getKey());
                    return d.partitions().size() == e.getValue()
                            && d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty());
                });
                if (ready) {
                    return;
                }
            } catch (ExecutionException e) {
                // The broker's metadata may lag the controller by a moment.
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topics " + partitionsByTopic.keySet() + " have no leaders after " + ADMIN_TIMEOUT);
            }
            sleep(POLL);
        }
    }

    /** Closed while the broker is down, where its reconnect attempts would fill the log with warnings. */
    private void closeAdmin() {
        if (admin != null) {
            admin.close(Duration.ZERO);
            admin = null;
        }
    }

    /** Also the shutdown hook, hence no lock. */
    private void killAndDelete() {
        BrokerProcess running = broker;
        if (running != null) {
            // Killed, not stopped: the data is deleted next, so a clean shutdown buys nothing.
            running.kill();
            broker = null;
        }
        BrokerLayout files = layout;
        if (files != null) {
            try {
                MoreFiles.deleteRecursively(files.workDir());
            } catch (IOException | UncheckedIOException e) {
                LOG.warn("Could not delete the Kafka work directory {}: {}", files.workDir(), e.toString());
            }
        }
    }

    private void requireStarted() {
        if (layout == null) {
            throw new IllegalStateException("cluster not started");
        }
    }

    private static Set<String> names(Collection<NewTopic> topics) {
        return topics.stream().map(NewTopic::name).collect(Collectors.toSet());
    }

    private static void sleep(Duration duration) {
        KafkaNodes.sleep(duration, "interrupted waiting for the Kafka broker");
    }
}
