package io.vlmstreams.topology.check;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.vlmstreams.topology.config.AppConfig;
import io.vlmstreams.topology.config.PipelineConfig;
import io.vlmstreams.topology.config.Settings;

/**
 * What the application checks before it loads the model: the brokers answer, every input, output and
 * the dead-letter topic exists, and the registry answers. Without it a missing topic leaves Streams
 * rebalancing forever and a dead broker is hundreds of warnings, both after a model load.
 */
public final class StartupCheck {

    private StartupCheck() {
    }

    /** Settings for the Admin client of a check: the Kafka settings and the bootstrap servers. */
    public static Map<String, Object> kafkaSettings(AppConfig app) {
        Map<String, Object> kafka = new LinkedHashMap<>(app.kafkaSettings());
        kafka.put(Settings.BOOTSTRAP_SERVERS, app.bootstrapServers());
        return kafka;
    }

    /** Every problem found, one sentence each; empty when the application can start. */
    public static List<String> problems(AppConfig app) {
        List<String> problems = new ArrayList<>();
        problems.addAll(KafkaCheck.check(kafkaSettings(app), topics(app), app.startupCheckTimeout()));
        RegistryCheck.check(app.serdeConfigs(), app.startupCheckTimeout()).ifPresent(problems::add);
        return problems;
    }

    /** Topic -> the setting that names it. */
    public static Map<String, String> topics(AppConfig app) {
        Map<String, String> topics = new LinkedHashMap<>();
        for (PipelineConfig p : app.pipelines()) {
            String prefix = Settings.pipelinePrefix(p.name());
            p.inputTopics().forEach(t -> topics.putIfAbsent(t, prefix + Settings.INPUT_TOPICS));
            topics.putIfAbsent(p.outputTopic(), prefix + Settings.OUTPUT_TOPIC);
        }
        topics.putIfAbsent(app.deadLetterTopic(), Settings.DEAD_LETTER_TOPIC);
        return topics;
    }
}
