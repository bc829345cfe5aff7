package io.vlmstreams.cli.hub;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link HubCache} written by several downloads at once, as two processes or threads sharing one cache do. */
class HubCacheTest {

    @TempDir
    Path root;

    @Test
    void writersOfOneRefAtOnceNeitherFailNorLeaveTemporaryFiles() throws Exception {
        HubCache cache = new HubCache(root, "onnx-community/Tiny-VL-ONNX");
        String commit = "0123456789abcdef0123456789abcdef01234567";
        int writers = 4;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 200; i++) {
                        cache.writeRef("main", commit);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(cache.commitOf("main")).contains(commit);
        try (var files = Files.list(cache.repoDir().resolve("refs"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("main");
        }
    }
}
