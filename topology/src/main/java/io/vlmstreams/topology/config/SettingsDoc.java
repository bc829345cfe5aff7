package io.vlmstreams.topology.config;

import java.util.List;
import java.util.Map;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;

/**
 * Renders the configuration reference (README's tables) from {@link Settings}, so the documented
 * keys, defaults and rules are the ones the application enforces. README holds the rendering between
 * {@link #BEGIN} and {@link #END}; a test fails when the two differ.
 */
public final class SettingsDoc {

    static final String BEGIN = "<!-- settings:begin (generated from io.vlmstreams.topology.config.Settings; do not edit by hand) -->";
    static final String END = "<!-- settings:end -->";

    /** One README table: its title, the note after it, and the keys of {@code def} in {@code group}. */
    private record Section(String title, String note, ConfigDef def, String group) { }

    private static final List<Section> SECTIONS = List.of(
            new Section(Settings.APPLICATION_GROUP, "", Settings.APP, Settings.APPLICATION_GROUP),
            new Section(Settings.MODEL_GROUP, "", Settings.APP, Settings.MODEL_GROUP),
            new Section(Settings.BATCH_GROUP, " (application-wide defaults; each is also a pipeline key, below)",
                    Settings.APP, Settings.BATCH_GROUP),
            new Section(Settings.PIPELINE_GROUP, " (`pipeline.<name>.` + key)", Settings.PIPELINE, Settings.PIPELINE_GROUP),
            new Section(Settings.POLICY_GROUP, " (`pipeline.<name>.policy.<policy>.` + key)", Settings.POLICY, Settings.POLICY_GROUP),
            new Section(Settings.FETCH_GROUP, " (`ImageReference` events)", Settings.APP, Settings.FETCH_GROUP),
            new Section(Settings.ADMIN_GROUP, "", Settings.APP, Settings.ADMIN_GROUP));

    private SettingsDoc() {
    }

    /** The tables, one per section, then the launcher's variables. */
    public static String markdown() {
        StringBuilder out = new StringBuilder();
        for (Section section : SECTIONS) {
            out.append("**").append(section.title()).append("**").append(section.note()).append("\n\n");
            out.append("| key | default | valid values | meaning |\n|---|---|---|---|\n");
            for (ConfigKey key : section.def().configKeys().values()) {
                if (key.group.equals(section.group())) {
                    out.append("| `").append(key.name).append("` | ").append(Settings.defaultText(key)).append(" | ")
                            .append(rule(key)).append(" | ").append(key.documentation).append(" |\n");
                }
            }
            out.append('\n');
        }
        out.append("**Launcher variables** (read by `./vlm-streams` and the logger, not settings; the only other "
                + "`VLM_*` names allowed)\n\n| variable | meaning |\n|---|---|\n");
        for (Map.Entry<String, String> v : Settings.LAUNCHER_VARIABLES.entrySet()) {
            out.append("| `").append(v.getKey()).append("` | ").append(v.getValue()).append(" |\n");
        }
        return out.toString();
    }

    /** {@code readme} with the text between the markers replaced by {@link #markdown()}. */
    public static String replaceIn(String readme) {
        int begin = readme.indexOf(BEGIN);
        int end = readme.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("README has no " + BEGIN + " ... " + END + " block");
        }
        return readme.substring(0, begin + BEGIN.length()) + "\n" + markdown() + readme.substring(end);
    }

    private static String rule(ConfigKey key) {
        if (key.type == ConfigDef.Type.BOOLEAN) {
            return "`true`, `false`";
        }
        return key.validator == null ? "" : "`" + key.validator + "`";
    }
}
