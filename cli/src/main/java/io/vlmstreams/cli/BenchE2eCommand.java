package io.vlmstreams.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

import io.vlmstreams.cli.sandbox.E2eBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench-e2e}: answers/s through a real (embedded) broker and schema registry, next to the
 * engine alone and to transformers.js on the same images. See {@link E2eBench}.
 */
@Command(name = "bench-e2e", mixinStandardHelpOptions = true,
        description = "Measure answers/s end to end through embedded Kafka, with the ratio to the engine alone.")
public final class BenchE2eCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "ONNX model folder")
    Path model;

    @Option(names = "--dtype", defaultValue = "fp32")
    String dtype;

    @Option(names = "--rounds", defaultValue = "2", description = "events = rounds x the sample images (default: ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--max-new-tokens", defaultValue = "16", description = "default: ${DEFAULT-VALUE}")
    int maxNewTokens;

    @Option(names = "--batch-size", defaultValue = "8", description = "pipeline batch.max.size (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--engine-batch-size", defaultValue = "0",
            description = "engine.max.batch.size: sequences decoding together across stream threads (0: --batch-size)")
    int engineBatchSize;

    @Option(names = "--threads", defaultValue = "0", description = "engine.intra.op.threads (0: the application's default)")
    int threads;

    @Option(names = "--stream-threads", defaultValue = "1", description = "num.stream.threads (default: ${DEFAULT-VALUE})")
    int streamThreads;

    @Option(names = "--spin-wait", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "engine.spin.wait: ORT idle threads spin (default) or sleep (--no-spin-wait)")
    boolean spinWait;

    @Option(names = "--compare-transformers-js", negatable = true, description =
            "first time transformers.js generate() (reference/bench.mjs) on the same model and sample images and print"
                    + " the end-to-end ratio to it (default: on when node and reference/node_modules are present)")
    Boolean compareTransformersJs;

    @Option(names = "--timeout", defaultValue = "PT30M", description = "give up after (ISO-8601, default: ${DEFAULT-VALUE})")
    Duration timeout;

    @Override
    public Integer call() throws InterruptedException {
        return new E2eBench(new E2eBench.Options(model, dtype, rounds, maxNewTokens, batchSize,
                engineBatchSize > 0 ? engineBatchSize : batchSize, threads, streamThreads, spinWait, timeout, compareTransformersJs), System.out).run();
    }
}
