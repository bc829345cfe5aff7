package io.vlmstreams.devstack.kafka;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The broker JVM's logging: Kafka logs through SLF4J, and logback (on the test classpath and in
 * the CLI's runtime) is its backend. The broker logs WARN and above to stdout, which the launcher
 * sends to the broker log file; the line saying the server started is kept as a landmark.
 */
final class BrokerLogging {

    private static final String LOGBACK_XML = """
            <configuration>
              <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
                <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>
              </appender>
              <logger name="kafka.server.KafkaRaftServer" level="INFO"/>
              <root level="WARN"><appender-ref ref="STDOUT"/></root>
            </configuration>
            """;

    private BrokerLogging() {
    }

    static void writeConfig(Path file) throws IOException {
        Files.writeString(file, LOGBACK_XML, StandardCharsets.UTF_8);
    }

    /** JVM options pointing the broker's logging at {@code file}. */
    static String[] jvmOptions(Path file) {
        return new String[] {
            "-Dlogback.configurationFile=" + file.toAbsolutePath(),
            // Kafka's server modules also carry log4j-core; keep its status chatter out of the log.
            "-Dlog4j2.statusLoggerLevel=ERROR",
        };
    }
}
