package io.vlmstreams.topology.it;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.vlmstreams.devstack.kafka.EmbeddedKafkaCluster;
import io.vlmstreams.devstack.kafka.KafkaClusterOptions;
import io.vlmstreams.devstack.registry.TestSchemaRegistryServer;
import io.vlmstreams.devstack.tls.TestCertificates;
import io.vlmstreams.schemas.serde.SchemaRegistryClient;
import io.vlmstreams.schemas.serde.SchemaRegistryClients;
import io.vlmstreams.schemas.serde.SchemaRegistryException;
import io.vlmstreams.topology.app.StreamsApp;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The application end to end over TLS, with certificates made in the test: the broker's client
 * listener is SASL_SSL (PLAIN login) in one run and SSL with required client certificates in the
 * other, and the schema registry answers https only, with basic auth, under a CA the JVM does not
 * trust (so the registry client must be given the trust store).
 */
class TlsEndToEndTest {

    private static final Duration QUIET = Duration.ofSeconds(2);
    private static final Duration LIMIT = Duration.ofSeconds(90);

    @TempDir
    Path temp;

    @Test
    void saslSslBrokerAndHttpsRegistryWithBasicAuth() {
        TestCertificates certs = TestCertificates.create(temp.resolve("pki"), "vlm-app");
        answersOverTls(KafkaClusterOptions.defaults().withTls(certs, false).withSaslPlain("vlm", "vlm-secret"), certs,
                "SASL_SSL", "tls-sasl");
    }

    @Test
    void sslBrokerWithClientCertificatesAndHttpsRegistry() {
        TestCertificates certs = TestCertificates.create(temp.resolve("pki"), "vlm-app");
        KafkaClusterOptions options = KafkaClusterOptions.defaults().withTls(certs, true);
        answersOverTls(options, certs, "SSL", "tls-mtls");
    }

    @Test
    void aClientWithoutACertificateIsRefusedWhereOneIsRequired() {
        TestCertificates certs = TestCertificates.create(temp.resolve("pki"), "vlm-app");
        try (EmbeddedKafkaCluster kafka = new EmbeddedKafkaCluster(KafkaClusterOptions.defaults().withTls(certs, true)).start()) {
            Map<String, Object> props = kafka.clientProperties();
            props.keySet().removeIf(k -> k.startsWith("ssl.keystore") || k.equals("ssl.key.password"));
            try (Admin admin = Admin.create(props)) {
                assertThatThrownBy(() -> admin.describeCluster(new DescribeClusterOptions().timeoutMs(10_000)).nodes().get())
                        .hasCauseInstanceOf(SslAuthenticationException.class);
            }
        }
    }

    private void answersOverTls(KafkaClusterOptions options, TestCertificates certs, String protocol, String appId) {
        long began = System.nanoTime();
        try (EmbeddedKafkaCluster kafka = new EmbeddedKafkaCluster(options).start();
             TestSchemaRegistryServer registry = TestSchemaRegistryServer.builder().https(certs).basicAuth("reg", "reg-secret").start()) {
            assertThat(kafka.clientProperties()).containsEntry("security.protocol", protocol);
            assertThat(registry.url()).startsWith("https://");
            Map<String, Object> registryConfigs = registry.clientConfigs();
            // the CA is the test's own: without the trust store the registry cannot be reached
            Map<String, Object> untrusted = new HashMap<>(registryConfigs);
            untrusted.keySet().removeIf(k -> k.startsWith("schema.registry.ssl."));
            try (SchemaRegistryClient client = SchemaRegistryClients.create(untrusted)) {
                assertThatThrownBy(client::getSubjects).isInstanceOf(SchemaRegistryException.class);
            }
            for (String topic : List.of("in-" + appId, "out-" + appId, "dlq-" + appId)) {
                kafka.createTopic(topic, 2);
            }
            Map<String, String> settings = TestApp.baseSettings(kafka, registryConfigs, temp.resolve("state"), appId);
            settings.putAll(Map.of("dead.letter.topic", "dlq-" + appId, "pipelines", "p", "batch.max.size", "4",
                    "batch.linger.ms", "30", "pipeline.p.input.topics", "in-" + appId, "pipeline.p.output.topic", "out-" + appId,
                    "pipeline.p.prompt", "Describe this image.", "pipeline.p.max.new.tokens", "3"));
            KafkaIo io = new KafkaIo(kafka.clientProperties(), registryConfigs);
            List<Map.Entry<String, byte[]>> records = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                ids.add(appId + "-" + i);
                records.add(Map.entry("cam-" + (i % 2), io.serialize("in-" + appId,
                        KafkaIo.inline(appId + "-" + i, "cam-" + (i % 2), KafkaIo.fixtureImage("green_palette.png")))));
            }
            try (StreamsApp app = TestApp.start(settings)) {
                io.sendRaw("in-" + appId, records);
                List<ConsumerRecord<String, GenericRecord>> answers = io.readCommitted("out-" + appId, ids.size(), QUIET, LIMIT);
                assertThat(answers).extracting(r -> r.value().get("event_id").toString()).containsExactlyInAnyOrderElementsOf(ids);
                assertThat(io.readCommitted("dlq-" + appId, 0, QUIET, QUIET)).isEmpty();
                assertThat(registry.requests()).isNotEmpty();
                System.out.printf("TlsEndToEndTest %s: %d events answered over %s with an https registry; %.1f s%n",
                        appId, answers.size(), protocol, (System.nanoTime() - began) / 1e9);
            }
        }
    }
}
