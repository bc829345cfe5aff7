package io.vlmstreams.topology.check;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import io.vlmstreams.schemas.serde.RegistryClientConfig;
import io.vlmstreams.schemas.serde.SchemaRegistryClient;
import io.vlmstreams.schemas.serde.SchemaRegistryClients;

/**
 * Whether the schema registry answers (lists its subjects, which also proves the credentials), in
 * bounded time: a wrong URL would otherwise surface on the first record, as a failed stream thread.
 */
public final class RegistryCheck {

    private RegistryCheck() {
    }

    /** The problem, if the registry {@code settings} name does not answer within {@code timeout}. */
    public static Optional<String> check(Map<String, ?> settings, Duration timeout) {
        try (SchemaRegistryClient client = client(settings, timeout)) {
            return check(client, settings.get(RegistryClientConfig.URL), timeout);
        }
    }

    /** A registry client for {@code settings} whose connect and request timeouts are {@code timeout} unless set. */
    public static SchemaRegistryClient client(Map<String, ?> settings, Duration timeout) {
        Map<String, Object> configs = new LinkedHashMap<>(settings);
        long ms = timeout.toMillis();
        configs.merge(RegistryClientConfig.CONNECT_TIMEOUT_MS, ms, (given, bound) -> given);
        configs.merge(RegistryClientConfig.REQUEST_TIMEOUT_MS, ms, (given, bound) -> given);
        return SchemaRegistryClients.create(configs);
    }

    /** The problem, if {@code client} (for {@code url}) does not list the subjects. */
    public static Optional<String> check(SchemaRegistryClient client, Object url, Duration timeout) {
        try {
            client.getSubjects();
            return Optional.empty();
        } catch (RuntimeException e) {
            String what;
            if (inChain(e, java.net.ConnectException.class)) {
                what = "refuses connections (nothing listens there?)";
            } else if (inChain(e, java.net.http.HttpTimeoutException.class) || inChain(e, java.net.SocketTimeoutException.class)) {
                what = "did not answer within " + KafkaCheck.seconds(timeout);
            } else {
                String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                what = "failed: " + message.replaceAll("\\s*\\R\\s*", " ");
            }
            return Optional.of("the schema registry at " + url + " " + what
                    + " (check schema.registry.url, its credentials, and that the registry is up)");
        }
    }

    private static boolean inChain(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }
}
