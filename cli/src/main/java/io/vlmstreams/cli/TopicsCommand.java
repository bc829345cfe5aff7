package io.vlmstreams.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.vlmstreams.topology.app.StreamsMain;
import io.vlmstreams.topology.check.KafkaCheck;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code topics create}: makes the topics the application reads and writes, with a
 * {@code max.message.bytes} large enough for inline photos (Kafka's default is 1 MiB). A topic that
 * already exists is left as it is, so the command can run again in a setup script.
 */
@Command(name = "topics", mixinStandardHelpOptions = true, description = "Manage the application's Kafka topics.",
        subcommands = TopicsCommand.Create.class)
public final class TopicsCommand implements Runnable {

    /** Topic settings every created topic gets unless {@code --config} says otherwise. */
    public static final Map<String, String> DEFAULT_CONFIGS = Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
            String.valueOf(10 << 20));

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** {@code topics create}. */
    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create topics (max.message.bytes 10 MiB unless --config sets it; existing topics are left as they are).")
    static final class Create implements Callable<Integer> {

        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "TOPIC", arity = "1..*", description = "Topic names.")
        List<String> topics;

        @Option(names = "--partitions", paramLabel = "N", description = "Partitions (default: the broker's num.partitions).")
        Integer partitions;

        @Option(names = "--replication", paramLabel = "R",
                description = "Replication factor (default: the broker's default.replication.factor).")
        Short replication;

        @Option(names = "--config", paramLabel = "KEY=VALUE", description = "A topic setting; repeatable.")
        List<String> configs = new ArrayList<>();

        @Override
        public Integer call() throws InterruptedException {
            if (client.bootstrap == null) {
                throw new IllegalArgumentException("--bootstrap is required");
            }
            if (partitions != null && partitions < 1) {
                throw new IllegalArgumentException("--partitions must be at least 1, got " + partitions);
            }
            if (replication != null && replication < 1) {
                throw new IllegalArgumentException("--replication must be at least 1, got " + replication);
            }
            Map<String, String> topicConfigs = topicConfigs();
            Map<String, Object> settings = new LinkedHashMap<>(client.extraSettings());
            settings.putAll(client.connection());
            List<String> problems = KafkaCheck.check(settings, Map.of(), ClientCheck.TIMEOUT);
            if (!problems.isEmpty()) {
                problems.forEach(p -> System.err.println("error: " + p));
                return StreamsMain.EXIT_NOT_READY;
            }
            List<NewTopic> requested = topics.stream().map(t -> new NewTopic(t, Optional.ofNullable(partitions),
                    Optional.ofNullable(replication)).configs(topicConfigs)).toList();
            int failed = 0;
            try (Admin admin = Admin.create(KafkaCheck.adminConfigs(settings, Duration.ofSeconds(30)))) {
                var results = admin.createTopics(requested).values();
                for (NewTopic topic : requested) {
                    try {
                        results.get(topic.name()).get(60, TimeUnit.SECONDS);
                        System.out.println("created topic " + topic.name() + " (" + describe(topic) + ")");
                    } catch (ExecutionException e) {
                        if (e.getCause() instanceof TopicExistsException) {
                            System.out.println("topic " + topic.name() + " already exists; left as it is");
                        } else {
                            failed++;
                            System.err.println("error: cannot create topic " + topic.name() + ": "
                                    + e.getCause().getClass().getSimpleName() + ": " + e.getCause().getMessage());
                        }
                    } catch (TimeoutException e) {
                        failed++;
                        System.err.println("error: the broker did not confirm topic " + topic.name() + " within 60 s");
                    }
                }
            }
            return failed == 0 ? 0 : 1;
        }

        private Map<String, String> topicConfigs() {
            Map<String, String> out = new LinkedHashMap<>(DEFAULT_CONFIGS);
            for (String c : configs) {
                int eq = c.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("--config expects key=value, got '" + c + "'");
                }
                out.put(c.substring(0, eq).trim(), c.substring(eq + 1).trim());
            }
            return out;
        }

        private static String describe(NewTopic topic) {
            String partitions = topic.numPartitions() > 0 ? topic.numPartitions() + " partitions" : "the broker's default partitions";
            String replication = topic.replicationFactor() > 0 ? "replication " + topic.replicationFactor()
                    : "the broker's default replication";
            return partitions + ", " + replication + ", " + String.join(", ",
                    topic.configs().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).sorted().toList());
        }
    }
}
