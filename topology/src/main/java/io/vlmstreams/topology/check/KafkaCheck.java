package io.vlmstreams.topology.check;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.common.utils.Utils;

/**
 * Whether the brokers answer and the topics a command needs exist, in bounded time and before
 * anything expensive starts. Each problem is one sentence saying what is wrong and what to do.
 * A plain TCP connect comes first: when nothing listens, the Admin client would log a warning per
 * reconnect attempt for the whole wait.
 */
public final class KafkaCheck {

    private KafkaCheck() {
    }

    /**
     * The problems found, none when the brokers answer and every topic of {@code topics} (topic -> the
     * setting or option that names it) exists.
     *
     * @param settings client settings: {@code bootstrap.servers}, security; other keys are ignored
     */
    public static List<String> check(Map<String, ?> settings, Map<String, String> topics, Duration timeout) {
        String bootstrap = String.valueOf(settings.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG));
        if (!anyListening(bootstrap, timeout)) {
            return List.of("no Kafka broker answers at " + bootstrap + " (nothing accepts connections there): "
                    + "check bootstrap.servers and that the broker is up");
        }
        long ms = timeout.toMillis();
        try (Admin admin = Admin.create(adminConfigs(settings, timeout))) {
            try {
                admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) ms)).clusterId().get(ms + 1000, TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                return List.of("no Kafka broker answered at " + bootstrap + " within " + seconds(timeout) + ": "
                        + reason(e) + " (check bootstrap.servers, security.protocol and the broker's listeners)");
            }
            return missingTopics(admin, topics, timeout, bootstrap);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of("interrupted while checking the Kafka brokers at " + bootstrap);
        }
    }

    /**
     * One problem per topic of {@code topics} (topic -> the setting that names it) that {@code admin}
     * does not list, or one saying the list could not be had within {@code timeout}.
     */
    public static List<String> missingTopics(Admin admin, Map<String, String> topics, Duration timeout, String bootstrap)
            throws InterruptedException {
        if (topics.isEmpty()) {
            return List.of();
        }
        long ms = timeout.toMillis();
        Set<String> existing;
        try {
            existing = admin.listTopics(new ListTopicsOptions().timeoutMs((int) ms)).names().get(ms + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return List.of("cannot list the topics at " + bootstrap + ": " + reason(e));
        }
        List<String> problems = new ArrayList<>();
        topics.forEach((topic, role) -> {
            if (!existing.contains(topic)) {
                problems.add("topic '" + topic + "' (" + role + ") does not exist at " + bootstrap
                        + "; create it: ./vlm-streams topics create --bootstrap " + bootstrap + " " + topic);
            }
        });
        return problems;
    }

    /**
     * The settings an Admin client takes from {@code settings} (its own keys, and {@code admin.}-prefixed
     * ones without the prefix), with the request and API timeouts bounded by {@code timeout}.
     */
    public static Map<String, Object> adminConfigs(Map<String, ?> settings, Duration timeout) {
        Set<String> names = AdminClientConfig.configNames();
        Map<String, Object> out = new LinkedHashMap<>();
        settings.forEach((k, v) -> {
            if (names.contains(k)) {
                out.put(k, v);
            }
        });
        settings.forEach((k, v) -> {
            if (k.startsWith("admin.") && names.contains(k.substring("admin.".length()))) {
                out.put(k.substring("admin.".length()), v);
            }
        });
        int ms = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        out.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ms);
        out.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
        out.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, Math.min(ms, 10_000));
        out.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, Math.min(ms, 10_000));
        out.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "vlm-streams-check");
        return out;
    }

    /** Whether a TCP connection to any of the comma-separated {@code host:port}s opens within {@code timeout}. */
    static boolean anyListening(String bootstrap, Duration timeout) {
        int perAddress = (int) Math.max(100, Math.min(timeout.toMillis(), 5_000));
        for (String address : bootstrap.split(",")) {
            String a = address.trim();
            String host = Utils.getHost(a);
            Integer port = Utils.getPort(a);
            if (host == null || port == null) {
                // Not host:port: leave the verdict to the Admin client, which names the malformed address.
                return true;
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host, port), perAddress);
                return true;
            } catch (IOException e) {
                // try the next address
            }
        }
        return false;
    }

    static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static String reason(Exception e) {
        Throwable t = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        String message = t.getMessage() == null ? "" : ": " + t.getMessage();
        return t.getClass().getSimpleName() + message;
    }
}
