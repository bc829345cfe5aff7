package io.vlmstreams.inference.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import io.vlmstreams.devstack.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** A model swap on the tiny model: draining, the canary and its manifest, and failures that keep the old model. */
class SwappableEngineTest {

    @TempDir
    Path temp;

    private static final SwappableEngine.Loader LOCAL = c -> LocalInferenceEngine.open(EngineConfig.defaults(c.dir()).withDtype(c.dtype()));

    private static List<InferenceRequest> oneRequest(String id) {
        return List.of(InferenceRequest.generate(id, TinyModel.imageBytes("green_palette.png"), "What is this?",
                GenerationSettings.greedy(3)));
    }

    @Test
    void aCallRunningAtTheSwapFinishesOnTheOldModelAndLaterCallsGoToTheNewOne() throws Exception {
        Path second = copy(Fixtures.tinyOnnx(), temp.resolve("tiny-b"));
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch swapped = new CountDownLatch(1);
        AtomicBoolean oldClosed = new AtomicBoolean();
        // the first model's calls wait inside the engine until the swap is done, so one is surely in flight across it
        SwappableEngine.Loader loader = c -> c.dir().equals(second) ? LOCAL.open(c)
                : new HoldingEngine(LOCAL.open(c), entered, swapped, oldClosed);
        try (SwappableEngine engine = SwappableEngine.open(loader, new SwappableEngine.ModelChoice(Fixtures.tinyOnnx(), "auto"))) {
            String first = engine.modelId();
            CompletableFuture<AnsweredBatch> inFlight = CompletableFuture.supplyAsync(() -> engine.answer(oneRequest("before")));
            entered.await();
            SwappableEngine.SwapResult result = engine.swap(new SwappableEngine.ModelChoice(second, "fp32")).get();
            assertThat(result.swapped()).as(String.valueOf(result.error())).isTrue();
            assertThat(engine.modelId()).isEqualTo("tiny-b:fp32").isNotEqualTo(first);
            assertThat(oldClosed).as("the old model stays open while its call runs").isFalse();
            assertThat(engine.drainingModels()).isEqualTo(1);
            swapped.countDown();

            AnsweredBatch before = inFlight.get();
            assertThat(before.modelId()).isEqualTo(first);
            assertThat(before.outcomes()).singleElement().isInstanceOf(Outcome.Success.class);
            assertThat(oldClosed).as("closed after its last call").isTrue();
            assertThat(engine.drainingModels()).isZero();

            AnsweredBatch after = engine.answer(oneRequest("after"));
            assertThat(after.modelId()).isEqualTo("tiny-b:fp32");
            assertThat(after.outcomes()).singleElement().isInstanceOf(Outcome.Success.class);
            assertThat(engine.status().dir()).isEqualTo(second);
            assertThat(engine.status().dtype()).isEqualTo("fp32");
            assertThat(engine.swapsSucceeded()).isEqualTo(1);
        }
    }

    @Test
    void aFolderThatDoesNotLoadOrFailsItsManifestLeavesTheOldModelServing() throws Exception {
        Path broken = Files.createDirectories(temp.resolve("broken"));
        Files.writeString(broken.resolve("config.json"), "{ not json");
        Path wrongManifest = copy(Fixtures.tinyOnnx(), temp.resolve("tiny-wrong"));
        Files.writeString(wrongManifest.resolve(Canary.MANIFEST), "{\"answers\": {\"canary-1\": \"something else\"}}");
        try (SwappableEngine engine = SwappableEngine.open(LOCAL, new SwappableEngine.ModelChoice(Fixtures.tinyOnnx(), "auto"))) {
            String first = engine.modelId();

            SwappableEngine.SwapResult load = engine.swap(new SwappableEngine.ModelChoice(broken, "auto")).get();
            assertThat(load.swapped()).isFalse();
            assertThat(load.error()).contains("cannot load").contains("broken");
            assertThat(engine.status().lastError()).isEqualTo(load.error());

            SwappableEngine.SwapResult canary = engine.swap(new SwappableEngine.ModelChoice(wrongManifest, "auto")).get();
            assertThat(canary.swapped()).isFalse();
            assertThat(canary.error()).contains("canary").contains(Canary.MANIFEST);

            assertThat(engine.modelId()).isEqualTo(first);
            assertThat(engine.swapsFailed()).isEqualTo(2);
            assertThat(engine.answer(oneRequest("still")).outcomes()).singleElement().isInstanceOf(Outcome.Success.class);
        }
    }

    @Test
    void aManifestWrittenFromTheModelPassesItsCanary() throws Exception {
        Path second = copy(Fixtures.tinyOnnx(), temp.resolve("tiny-c"));
        try (SwappableEngine engine = SwappableEngine.open(LOCAL, new SwappableEngine.ModelChoice(Fixtures.tinyOnnx(), "auto"))) {
            Files.writeString(second.resolve(Canary.MANIFEST), Canary.manifest(engine));
            SwappableEngine.SwapResult result = engine.swap(new SwappableEngine.ModelChoice(second, "auto")).get();
            assertThat(result.swapped()).as(String.valueOf(result.error())).isTrue();
            assertThat(engine.status().lastError()).isNull();
        }
    }

    private static Path copy(Path from, Path to) {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
            return to;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The real engine, with each call held at its start until {@code release} opens. */
    private static final class HoldingEngine extends ForwardingEngine {
        private final CountDownLatch entered;
        private final CountDownLatch release;
        private final AtomicBoolean closed;

        HoldingEngine(InferenceEngine real, CountDownLatch entered, CountDownLatch release, AtomicBoolean closed) {
            super(real);
            this.entered = entered;
            this.release = release;
            this.closed = closed;
        }

        @Override
        public List<Outcome> runBatch(List<InferenceRequest> requests) {
            if (requests.stream().anyMatch(r -> r.requestId().equals("before"))) {
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return delegate.runBatch(requests);
        }

        /** Through {@link #runBatch}, so an answer is held as a plain batch is. */
        @Override
        public AnsweredBatch answer(List<InferenceRequest> requests) {
            return new AnsweredBatch(modelId(), runBatch(requests));
        }

        @Override
        public void close() {
            closed.set(true);
            super.close();
        }
    }
}
