package io.vlmstreams.topology.ops;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.vlmstreams.schemas.serde.SchemaRegistryClient;
import io.vlmstreams.topology.check.KafkaCheck;
import io.vlmstreams.topology.check.RegistryCheck;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks every {@code interval}, on one daemon thread, that the application's topics still exist and
 * the registry still answers, and tells {@link StreamsHealth}: a topic deleted or a registry gone makes
 * the instance unready with the reason, instead of a RUNNING state over failing records. A change of
 * verdict is logged once, not every round.
 */
public final class HealthWatch implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HealthWatch.class);

    private final Admin admin;
    private final SchemaRegistryClient registry;
    private final ScheduledExecutorService scheduler;
    private volatile List<String> last = List.of();

    private HealthWatch(Admin admin, SchemaRegistryClient registry, ScheduledExecutorService scheduler) {
        this.admin = admin;
        this.registry = registry;
        this.scheduler = scheduler;
    }

    /**
     * Starts checking {@code topics} (topic -> the setting naming it) with the Kafka {@code kafkaSettings}
     * and the registry {@code registrySettings}, each check bounded by {@code timeout}.
     */
    public static HealthWatch start(Map<String, ?> kafkaSettings, Map<String, ?> registrySettings, Map<String, String> topics,
                                    Duration interval, Duration timeout, StreamsHealth health) {
        Admin admin = Admin.create(KafkaCheck.adminConfigs(kafkaSettings, timeout));
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vlm-health-watch");
            t.setDaemon(true);
            return t;
        });
        SchemaRegistryClient registry;
        try {
            registry = RegistryCheck.client(registrySettings, timeout);
        } catch (RuntimeException e) {
            admin.close(Duration.ZERO);
            scheduler.shutdownNow();
            throw e;
        }
        HealthWatch watch = new HealthWatch(admin, registry, scheduler);
        String bootstrap = String.valueOf(kafkaSettings.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG));
        scheduler.scheduleWithFixedDelay(() -> watch.round(topics, registrySettings, timeout, bootstrap, health),
                0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return watch;
    }

    private void round(Map<String, String> topics, Map<String, ?> registrySettings, Duration timeout, String bootstrap,
                       StreamsHealth health) {
        try {
            List<String> found = new ArrayList<>(KafkaCheck.missingTopics(admin, topics, timeout, bootstrap));
            RegistryCheck.check(registry, registrySettings.get("schema.registry.url"), timeout).ifPresent(found::add);
            if (!found.equals(last)) {
                if (found.isEmpty()) {
                    log.info("Health check: topics and registry fine again");
                } else {
                    found.forEach(p -> log.warn("Health check: {}", p));
                }
                last = List.copyOf(found);
            }
            health.checked(found);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // One failed round must not end the schedule.
            health.checked(List.of("health check failed: " + e));
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        admin.close(Duration.ofSeconds(2));
        registry.close();
    }
}
