package io.vlmstreams.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.vlmstreams.topology.check.KafkaCheck;
import io.vlmstreams.topology.check.RegistryCheck;

/**
 * The check {@code produce} and {@code tail} make before their first record: the brokers answer, the
 * topic exists and the registry answers, each problem one {@code error:} line. Without it a missing
 * topic is a 30-second wait or an {@code IllegalStateException} with a trace.
 */
final class ClientCheck {

    /** How long each part of the check waits at most. */
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private ClientCheck() {
    }

    /** Prints each problem of {@code configs} and {@code topic} (named by {@code option}) to {@code err}; true when none. */
    static boolean passes(Map<String, Object> configs, String topic, String option, Duration timeout, PrintStream err) {
        List<String> problems = new ArrayList<>(KafkaCheck.check(configs, Map.of(topic, option), timeout));
        RegistryCheck.check(configs, timeout).ifPresent(problems::add);
        problems.forEach(p -> err.println("error: " + p));
        err.flush();
        return problems.isEmpty();
    }
}
