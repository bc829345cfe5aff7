package io.vlmstreams.topology.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.apache.kafka.common.config.ConfigException;

/**
 * Which setting each {@code VLM_*} environment variable sets, looked up exactly in a table built from
 * the definitions, never guessed by lower-casing:
 * <ul>
 *   <li>a fixed key (vlm-streams' own, a Kafka client's, a registry client's) is {@code VLM_} + the key
 *       upper-cased with {@code .} and {@code -} as {@code _}: {@code engine.provider} is
 *       {@code VLM_ENGINE_PROVIDER};</li>
 *   <li>a pipeline key is {@code VLM_PIPELINE_<name>_<SUFFIX>}: {@code <name>} exactly as
 *       {@code pipelines} declares it (case and underscores kept), {@code <SUFFIX>} the suffix
 *       upper-cased: {@code pipeline.my_Cam.max.new.tokens} is {@code VLM_PIPELINE_my_Cam_MAX_NEW_TOKENS}.</li>
 * </ul>
 * Any other {@code VLM_} variable, except the launcher's ({@link Settings#LAUNCHER_VARIABLES}), stops
 * the start with the nearest known name.
 */
public final class EnvironmentVariables {

    /** Environment variables with this prefix set keys. */
    public static final String PREFIX = "VLM_";

    private static final String PIPELINE_PREFIX = PREFIX + "PIPELINE_";

    /** Variable -> the fixed keys it names (two only if two keys differ by {@code .} against {@code -}). */
    private static final Map<String, Set<String>> FIXED = fixedTable();

    private EnvironmentVariables() {
    }

    /** The variable that sets fixed key {@code key}. */
    public static String name(String key) {
        return PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** The variable that sets key {@code suffix} of pipeline {@code pipeline}. */
    public static String pipelineName(String pipeline, String suffix) {
        return PIPELINE_PREFIX + pipeline + "_" + suffix.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * The settings the {@code VLM_*} variables of {@code env} give, key -> trimmed value, for the declared
     * {@code pipelines}. Other variables are ignored; an unknown or ambiguous {@code VLM_} one fails.
     */
    static Map<String, String> settings(Map<String, String> env, List<String> pipelines) {
        Map<String, Set<String>> table = table(pipelines);
        Map<String, String> settings = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
            String variable = e.getKey();
            if (!variable.startsWith(PREFIX) || Settings.LAUNCHER_VARIABLES.containsKey(variable)) {
                continue;
            }
            Set<String> keys = table.get(variable);
            if (keys == null) {
                problems.add(unknown(variable, table, pipelines));
            } else if (keys.size() > 1) {
                problems.add(variable + " is ambiguous: it names " + String.join(" and ", keys)
                        + "; set the key in the configuration file instead");
            } else {
                settings.put(keys.iterator().next(), e.getValue().trim());
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException((problems.size() == 1 ? "Unknown environment variable " : "Unknown environment variables: ")
                    + String.join("; ", problems));
        }
        return settings;
    }

    private static String unknown(String variable, Map<String, Set<String>> table, List<String> pipelines) {
        Set<String> names = new TreeSet<>(table.keySet());
        names.addAll(Settings.LAUNCHER_VARIABLES.keySet());
        String hint = NearestName.of(variable, names)
                .map(n -> " (did you mean " + n + (table.containsKey(n) ? ", which sets " + String.join(", ", table.get(n)) : "") + "?)")
                .orElse("");
        String rule = variable.startsWith(PIPELINE_PREFIX)
                ? "; pipeline variables are " + PIPELINE_PREFIX + "<name>_<SUFFIX> with <name> exactly as declared in "
                        + Settings.PIPELINES + " (" + (pipelines.isEmpty() ? "none" : String.join(", ", pipelines)) + ")"
                : "";
        return variable + hint + rule;
    }

    private static Map<String, Set<String>> table(List<String> pipelines) {
        Map<String, Set<String>> table = new TreeMap<>();
        FIXED.forEach((variable, keys) -> table.put(variable, new TreeSet<>(keys)));
        for (String p : pipelines) {
            for (String suffix : Settings.PIPELINE.names()) {
                table.computeIfAbsent(pipelineName(p, suffix), v -> new TreeSet<>()).add(Settings.pipelinePrefix(p) + suffix);
            }
        }
        return table;
    }

    private static Map<String, Set<String>> fixedTable() {
        Set<String> keys = new TreeSet<>(Settings.APP.names());
        keys.addAll(RegistryKeys.NAMES);
        keys.addAll(KafkaKeys.NAMES);
        Map<String, Set<String>> table = new TreeMap<>();
        for (String key : keys) {
            table.computeIfAbsent(name(key), v -> new TreeSet<>()).add(key);
        }
        return table;
    }
}
