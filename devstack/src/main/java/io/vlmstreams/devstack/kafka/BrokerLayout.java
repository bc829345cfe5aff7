package io.vlmstreams.devstack.kafka;

import java.nio.file.Path;

/** Where a broker's files live inside its work directory. */
record BrokerLayout(Path workDir) {

    Path serverProperties() {
        return workDir.resolve("server.properties");
    }

    Path loggingConfig() {
        return workDir.resolve("logback-broker.xml");
    }

    /** The broker JVM's stdout and stderr, which is also where its logging goes. */
    Path logFile() {
        return workDir.resolve("broker.log");
    }

    Path jvmArgsFile() {
        return workDir.resolve("broker.jvm-args");
    }

    Path dataDir() {
        return workDir.resolve("data");
    }
}
