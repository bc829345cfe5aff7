package io.vlmstreams.topology.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * Refuses a key nobody reads, before anything starts: every key must be one of {@link Settings}' (a
 * pipeline key only for a pipeline that {@code pipelines} declares), one the registry client reads
 * ({@link RegistryKeys}) or one Kafka's clients define ({@link KafkaKeys}). A typo would otherwise be
 * passed to Kafka, which ignores it, and the setting would silently keep its default.
 */
final class UnknownSettings {

    private UnknownSettings() {
    }

    /** Throws one {@link ConfigException} naming every unknown key of {@code settings} and the nearest known key of each. */
    static void check(Map<String, String> settings) {
        List<String> pipelines = declaredPipelines(settings);
        Set<String> pipelineKeys = pipelineKeys(pipelines);
        List<String> problems = new ArrayList<>();
        for (String key : new TreeSet<>(settings.keySet())) {
            if (!isKnown(key, pipelineKeys)) {
                problems.add(describe(key, pipelines, pipelineKeys));
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException((problems.size() == 1 ? "Unknown setting " : "Unknown settings: ")
                    + String.join("; ", problems));
        }
    }

    /** The pipeline names {@code settings} declares, read as {@link Settings#PIPELINES} reads them. */
    static List<String> declaredPipelines(Map<String, String> settings) {
        String raw = settings.get(Settings.PIPELINES);
        return raw == null ? List.of()
                : Validators.elements(ConfigDef.parseType(Settings.PIPELINES, raw, ConfigDef.Type.LIST));
    }

    /** Every key the declared {@code pipelines} may have. */
    static Set<String> pipelineKeys(List<String> pipelines) {
        Set<String> keys = new TreeSet<>();
        for (String p : pipelines) {
            Settings.PIPELINE.names().forEach(suffix -> keys.add(Settings.pipelinePrefix(p) + suffix));
        }
        return keys;
    }

    private static boolean isKnown(String key, Set<String> pipelineKeys) {
        return Settings.APP.names().contains(key) || pipelineKeys.contains(key) || isPolicyKey(key, pipelineKeys)
                || RegistryKeys.NAMES.contains(key) || KafkaKeys.isKnown(key);
    }

    /** {@code pipeline.<p>.policy.<name>.<suffix>} of a declared pipeline, with a policy suffix. */
    private static boolean isPolicyKey(String key, Set<String> pipelineKeys) {
        java.util.regex.Matcher m = POLICY_KEY.matcher(key);
        return m.matches() && pipelineKeys.contains(Settings.pipelinePrefix(m.group(1)) + Settings.MODE)
                && Settings.POLICY.names().contains(m.group(3));
    }

    private static final java.util.regex.Pattern POLICY_KEY =
            java.util.regex.Pattern.compile("pipeline\\.([^.]+)\\.policy\\.([A-Za-z0-9_-]+)\\.([a-z.]+)");

    private static String describe(String key, List<String> pipelines, Set<String> pipelineKeys) {
        String why = "";
        Set<String> candidates = new TreeSet<>(pipelineKeys);
        if (key.startsWith(Settings.PIPELINE_PREFIX)) {
            String rest = key.substring(Settings.PIPELINE_PREFIX.length());
            String name = rest.contains(".") ? rest.substring(0, rest.indexOf('.')) : rest;
            if (!pipelines.contains(name)) {
                why = ": '" + name + "' is not one of the pipelines declared in " + Settings.PIPELINES + " ("
                        + (pipelines.isEmpty() ? "none" : String.join(", ", pipelines)) + ")";
            }
        }
        if (candidates.isEmpty() || !key.startsWith(Settings.PIPELINE_PREFIX)) {
            candidates.addAll(Settings.APP.names());
            candidates.addAll(RegistryKeys.NAMES);
            candidates.addAll(KafkaKeys.NAMES);
        }
        return "'" + key + "'" + why + NearestName.of(key, candidates).map(k -> " (did you mean '" + k + "'?)").orElse("");
    }
}
