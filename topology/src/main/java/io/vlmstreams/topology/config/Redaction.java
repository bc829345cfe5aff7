package io.vlmstreams.topology.config;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Hides secrets before settings are logged: JAAS configs, registry credentials ({@code *user.info}),
 * anything named like a password or secret, and key material ({@code ssl.key*}, {@code ssl.*.key}).
 */
public final class Redaction {

    static final String HIDDEN = "[hidden]";

    private Redaction() {
    }

    /** Whether the value of {@code key} is a secret. */
    public static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password") || k.contains("jaas.config") || k.endsWith("user.info")
                || k.contains("secret") || k.endsWith("token") || k.startsWith("ssl.key") || (k.startsWith("ssl.") && k.endsWith(".key"));
    }

    /** A sorted copy of {@code values} with every secret replaced. */
    public static Map<String, String> redact(Map<String, ?> values) {
        Map<String, String> out = new TreeMap<>();
        values.forEach((k, v) -> out.put(k, isSecret(k) ? HIDDEN : String.valueOf(v)));
        return out;
    }
}
