package io.vlmstreams.topology.ops;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The engine's image-cache hits on /metrics as {@code vlm_image_cache_hits_total}. */
class ImageCacheMetricTest {

    @Test
    void hitsAreACounterReadFromTheEngine() {
        AtomicLong hits = new AtomicLong();
        try (VlmMetrics metrics = new VlmMetrics()) {
            metrics.imageCacheHits(hits::get);
            assertThat(metrics.scrape()).contains("vlm_image_cache_hits_total 0.0");
            hits.set(3);
            assertThat(metrics.scrape()).contains("vlm_image_cache_hits_total 3.0");
        }
    }
}
