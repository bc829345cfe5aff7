package io.vlmstreams.devstack.kafka;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds the {@code server.properties} of a single-node KRaft broker+controller on loopback. */
final class BrokerConfig {

    static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final String HOST = "127.0.0.1";

    private BrokerConfig() {
    }

    /** The client listener's security protocol: PLAINTEXT, SASL_PLAINTEXT, SSL or SASL_SSL. */
    static String clientProtocol(KafkaClusterOptions options) {
        String sasl = options.saslPlain().isPresent() ? "SASL_" : "";
        return options.tls().isPresent() ? sasl + "SSL" : options.saslPlain().isPresent() ? "SASL_PLAINTEXT" : "PLAINTEXT";
    }

    static Map<String, String> serverProperties(KafkaClusterOptions options, int port, int controllerPort, Path dataDir) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        // A static one-voter quorum: the node elects itself at once, no --standalone format needed.
        p.put("controller.quorum.voters", "1@" + HOST + ":" + controllerPort);
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("log.dirs", dataDir.toAbsolutePath().toString());

        String clientListener = clientProtocol(options);
        p.put("listeners", clientListener + "://" + HOST + ":" + port + "," + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", clientListener + "://" + HOST + ":" + port);
        p.put("listener.security.protocol.map", clientListener + ":" + clientListener + "," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("inter.broker.listener.name", clientListener);
        options.saslPlain().ifPresent(sasl -> {
            p.put("sasl.enabled.mechanisms", "PLAIN");
            p.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
            p.put("listener.name." + clientListener.toLowerCase(java.util.Locale.ROOT) + ".plain.sasl.jaas.config",
                    sasl.brokerJaasConfig());
        });
        options.tls().ifPresent(tls -> p.putAll(tls.brokerProperties()));

        // One node: every internal topic has one replica, and exactly-once needs the
        // transaction log writable with that one replica in sync.
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        // The defaults (50 partitions each) cost seconds the first time a group or transaction appears.
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("num.partitions", "1");

        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");

        // Small files: tests write little, and each partition preallocates its index files.
        p.put("log.segment.bytes", String.valueOf(16 * 1024 * 1024));
        p.put("log.index.size.max.bytes", String.valueOf(1024 * 1024));
        p.put("offsets.topic.segment.bytes", String.valueOf(16 * 1024 * 1024));
        p.put("transaction.state.log.segment.bytes", String.valueOf(16 * 1024 * 1024));
        // The cleaner allocates its dedupe buffer up front (128 MB by default) out of a small heap.
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(16 * 1024 * 1024));
        // After a SIGKILL the restarted controller refuses the broker's new incarnation until the
        // old one's session expires (9 s by default); 3 s keeps restarts quick yet leaves six
        // heartbeats of slack on a loaded machine.
        p.put("broker.heartbeat.interval.ms", "500");
        p.put("broker.session.timeout.ms", "3000");

        p.putAll(options.brokerProperties());
        return p;
    }
}
