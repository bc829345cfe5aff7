package io.vlmstreams.devstack.kafka;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How to run an {@link EmbeddedKafkaCluster}; start from {@link #defaults()} and use the
 * {@code with...} methods.
 *
 * @param port             the client listener port on 127.0.0.1; 0 picks a free one (kept across restarts)
 * @param brokerProperties broker properties added last, so they override the built-in ones
 * @param saslPlain        when present the client listener is SASL_PLAINTEXT with this single user
 * @param maxHeap          the broker JVM's {@code -Xmx} value, e.g. {@code 512m}
 * @param jvmArgs          further options for the broker JVM; the defaults trade peak broker
 *                         throughput for start time ({@link #FAST_START_JVM_ARGS}), pass an
 *                         empty list for a fully optimising JIT
 * @param startTimeout     how long {@code start()} and {@code restartBroker()} wait for the broker
 * @param tls              when present the client listener is TLS (SSL, or SASL_SSL with {@code saslPlain})
 */
public record KafkaClusterOptions(
        int port,
        Map<String, String> brokerProperties,
        Optional<SaslPlainCredentials> saslPlain,
        String maxHeap,
        List<String> jvmArgs,
        Duration startTimeout,
        Optional<BrokerTls> tls) {

    public KafkaClusterOptions {
        Objects.requireNonNull(tls, "tls");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        brokerProperties = Map.copyOf(brokerProperties);
        Objects.requireNonNull(saslPlain, "saslPlain");
        Objects.requireNonNull(maxHeap, "maxHeap");
        jvmArgs = List.copyOf(jvmArgs);
        if (startTimeout.isNegative() || startTimeout.isZero()) {
            throw new IllegalArgumentException("startTimeout must be positive: " + startTimeout);
        }
    }

    /**
     * C1 only and the serial collector: the broker starts in roughly half the time (measured on a
     * loaded 2-core machine), and tests and the sandbox never push it near its peak throughput.
     */
    public static final List<String> FAST_START_JVM_ARGS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    /** A free port, plaintext, 512 MB of heap, {@link #FAST_START_JVM_ARGS}, 60 s to start. */
    public static KafkaClusterOptions defaults() {
        return new KafkaClusterOptions(0, Map.of(), Optional.empty(), "512m", FAST_START_JVM_ARGS, Duration.ofSeconds(60), Optional.empty());
    }

    public KafkaClusterOptions withPort(int newPort) {
        return new KafkaClusterOptions(newPort, brokerProperties, saslPlain, maxHeap, jvmArgs, startTimeout, tls);
    }

    public KafkaClusterOptions withBrokerProperty(String key, String value) {
        Map<String, String> merged = new LinkedHashMap<>(brokerProperties);
        merged.put(key, value);
        return withBrokerProperties(merged);
    }

    public KafkaClusterOptions withBrokerProperties(Map<String, String> properties) {
        return new KafkaClusterOptions(port, properties, saslPlain, maxHeap, jvmArgs, startTimeout, tls);
    }

    public KafkaClusterOptions withSaslPlain(String username, String password) {
        return new KafkaClusterOptions(port, brokerProperties,
                Optional.of(new SaslPlainCredentials(username, password)), maxHeap, jvmArgs, startTimeout, tls);
    }

    public KafkaClusterOptions withMaxHeap(String newMaxHeap) {
        return new KafkaClusterOptions(port, brokerProperties, saslPlain, newMaxHeap, jvmArgs, startTimeout, tls);
    }

    public KafkaClusterOptions withJvmArgs(List<String> newJvmArgs) {
        return new KafkaClusterOptions(port, brokerProperties, saslPlain, maxHeap, newJvmArgs, startTimeout, tls);
    }

    /** TLS on the client listener with the server key store of {@code certificates}; {@code clientAuth} requires client certificates. */
    public KafkaClusterOptions withTls(io.vlmstreams.devstack.tls.TestCertificates certificates, boolean clientAuth) {
        return new KafkaClusterOptions(port, brokerProperties, saslPlain, maxHeap, jvmArgs, startTimeout,
                Optional.of(new BrokerTls(certificates, clientAuth)));
    }

    public KafkaClusterOptions withStartTimeout(Duration newStartTimeout) {
        return new KafkaClusterOptions(port, brokerProperties, saslPlain, maxHeap, jvmArgs, newStartTimeout, tls);
    }
}
