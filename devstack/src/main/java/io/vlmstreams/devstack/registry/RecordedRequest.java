package io.vlmstreams.devstack.registry;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One request the test registry received, as sent (before authentication).
 *
 * @param method  HTTP method
 * @param path    decoded request path, e.g. {@code /subjects/images-value/versions}
 * @param query   raw query string, or null
 * @param headers request headers; names are case-insensitive
 * @param body    request body as UTF-8 text, empty when there was none
 */
public record RecordedRequest(String method, String path, String query, Map<String, List<String>> headers, String body) {

    public RecordedRequest {
        TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((name, values) -> copy.put(name, List.copyOf(values)));
        headers = java.util.Collections.unmodifiableMap(copy);
    }

    /** The first value of header {@code name}, or null. */
    public String header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
