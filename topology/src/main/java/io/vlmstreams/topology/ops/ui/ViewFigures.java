package io.vlmstreams.topology.ops.ui;

import java.util.Map;
import java.util.TreeMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The header's figures, read from the meters the application already keeps ({@code VlmMetrics}):
 * events in, answers, dead letters by reason, the running decode batch and the execution provider.
 *
 * @param decoding sequences in the engine's running decode batch; null where the engine has none to report
 * @param provider the execution provider whose gauge reads 1; null before the engine reports one
 */
record ViewFigures(long eventsIn, long answered, Map<String, Long> deadLettered, Integer decoding, String provider) {

    static ViewFigures read(MeterRegistry registry) {
        long in = sum(registry, "vlm.records.in");
        long out = sum(registry, "vlm.records.out");
        Map<String, Long> dead = new TreeMap<>();
        for (Counter c : registry.find("vlm.dead.letters").counters()) {
            dead.merge(String.valueOf(c.getId().getTag("reason")), (long) c.count(), Long::sum);
        }
        Gauge decoding = registry.find("vlm.engine.decoding.sequences").gauge();
        String provider = null;
        for (Gauge g : registry.find("vlm.engine.provider").gauges()) {
            if (g.value() >= 1) {
                provider = g.getId().getTag("provider");
            }
        }
        return new ViewFigures(in, out, dead, decoding == null ? null : (int) decoding.value(), provider);
    }

    private static long sum(MeterRegistry registry, String name) {
        double total = 0;
        for (Counter c : registry.find(name).counters()) {
            total += c.count();
        }
        return (long) total;
    }
}
