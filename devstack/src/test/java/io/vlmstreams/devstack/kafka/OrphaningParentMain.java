package io.vlmstreams.devstack.kafka;

/**
 * Stands in for a test JVM that dies without cleaning up: starts a cluster, prints
 * {@code READY <broker pid> <work dir>} and waits to be killed.
 */
public final class OrphaningParentMain {

    private OrphaningParentMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        EmbeddedKafkaCluster kafka = new EmbeddedKafkaCluster().start();
        System.out.println("READY " + kafka.brokerPid().orElseThrow() + " " + kafka.workDir());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
