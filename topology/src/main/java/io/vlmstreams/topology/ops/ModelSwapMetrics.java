package io.vlmstreams.topology.ops;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vlmstreams.inference.engine.SwappableEngine;

/** Meters of model swaps: {@code vlm_model_swaps_total{result="ok"|"failed"}} and the replaced models still draining. */
public final class ModelSwapMetrics {

    private ModelSwapMetrics() {
    }

    /** Publishes {@code engine}'s swap counts on {@code registry}. */
    public static void bind(MeterRegistry registry, SwappableEngine engine) {
        FunctionCounter.builder("vlm.model.swaps", engine, SwappableEngine::swapsSucceeded).tag("result", "ok")
                .description("Model swaps that took effect").register(registry);
        FunctionCounter.builder("vlm.model.swaps", engine, SwappableEngine::swapsFailed).tag("result", "failed")
                .description("Model swaps that failed to load or failed their canary (the old model kept serving)")
                .register(registry);
        Gauge.builder("vlm.model.draining", engine, SwappableEngine::drainingModels)
                .description("Replaced models still finishing the calls that started on them").register(registry);
    }
}
