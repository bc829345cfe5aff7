/**
 * A real Apache Kafka for tests, benchmarks and the sandbox: {@link io.vlmstreams.devstack.kafka.EmbeddedKafkaCluster}
 * runs a single-node KRaft broker+controller from the Maven Central jars of the current classpath
 * in a child JVM ({@link io.vlmstreams.devstack.kafka.BrokerMain}), so a test can kill and restart
 * it and the broker's classes and logging stay out of the test JVM.
 *
 * <p>Lifetime: {@code close()} kills the broker and deletes its work directory; a shutdown hook
 * does the same when the JVM exits without closing; when the parent JVM is killed outright
 * (SIGKILL, no hooks), the child notices within half a second, deletes its work directory and
 * halts. Logging: the child logs WARN and above through logback to {@code broker.log} in its work
 * directory (nothing at all if logback is not on the classpath).
 * {@link io.vlmstreams.devstack.kafka.RecordCollector} reads topics back as committed data.
 */
package io.vlmstreams.devstack.kafka;
