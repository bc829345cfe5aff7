package io.vlmstreams.cli.kernel;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.vlmstreams.convert.OnnxGraphBuilder;
import io.vlmstreams.inference.onnx.OrtRuntime;
import io.vlmstreams.inference.onnx.OwnedSession;
import io.vlmstreams.inference.onnx.RuntimeConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What this machine's ONNX Runtime reaches on a plain weight MatMul: a one-node graph
 * A [rows, k] x B [k, n] with random constant B, put into the kernel's precision by
 * {@link Kernel#apply} and opened with the engine's {@link RuntimeConfig} (threads, spinning,
 * arena), so it differs from a stage's MatMul only in having nothing around it. Each row count is
 * run twice to warm up, then timed a few times; the best run counts.
 */
public final class MatMulBaseline implements AutoCloseable {

    /** Timed runs per row count, at most, and how long they may take together. */
    static final int MAX_RUNS = 5;
    static final long MAX_TIMED_NANOS = 400_000_000L;

    private final OrtRuntime runtime;
    private final Path dir;

    public MatMulBaseline(RuntimeConfig config) {
        this.runtime = new OrtRuntime(config);
        try {
            this.dir = Files.createTempDirectory("vlm-matmul-baseline-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The float32 graph: input {@code A} [rows, k], weight {@code B} [k, n] from a fixed seed, output {@code Y}. */
    public static ModelProto fp32Graph(long k, long n) {
        OnnxGraphBuilder g = new OnnxGraphBuilder("matmul_baseline");
        String a = g.input("A", DataType.FLOAT, "rows", k);
        float[] w = new float[Math.toIntExact(k * n)];
        SplittableRandom random = new SplittableRandom(k * 31 + n);
        float scale = (float) (1 / Math.sqrt(k));
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (random.nextDouble(-1, 1) * scale);
        }
        String y = g.matmul(a, g.initializer("B", w, k, n));
        g.output(y, "Y", DataType.FLOAT, "rows", n);
        return g.build("vlm-streams matmul baseline");
    }

    /** The baseline graph of {@code kernel}. */
    public static ModelProto graph(Kernel kernel, long k, long n) {
        return kernel.apply(fp32Graph(k, n));
    }

    /** GFLOP/s ({@code 2 rows k n} per run) of {@code kernel} at each of {@code rows}, in row order. */
    public Map<Long, Double> gflops(Kernel kernel, long k, long n, Collection<Long> rows) {
        Path file = dir.resolve("matmul.onnx");
        try {
            Files.write(file, graph(kernel, k, n).toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<Long, Double> out = new TreeMap<>();
        try (OwnedSession s = runtime.open(file)) {
            for (long m : new TreeSet<>(rows)) {
                out.put(m, 2.0 * m * k * n / bestNanos(s.session(), m, k));
            }
        } catch (OrtException e) {
            throw new IllegalStateException("the " + kernel.label() + " baseline failed: " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temporary file: the folder goes at close
            }
        }
        return out;
    }

    private long bestNanos(OrtSession session, long m, long k) throws OrtException {
        float[] a = new float[Math.toIntExact(m * k)];
        SplittableRandom random = new SplittableRandom(m);
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) random.nextDouble(-1, 1);
        }
        try (OnnxTensor input = OnnxTensor.createTensor(runtime.env(), FloatBuffer.wrap(a), new long[] {m, k})) {
            Map<String, OnnxTensor> feed = Map.of("A", input);
            for (int i = 0; i < 2; i++) {
                session.run(feed).close();
            }
            long best = Long.MAX_VALUE;
            long spent = 0;
            for (int i = 0; i < MAX_RUNS && (i == 0 || spent < MAX_TIMED_NANOS); i++) {
                long t0 = System.nanoTime();
                session.run(feed).close();
                long took = System.nanoTime() - t0;
                best = Math.min(best, took);
                spent += took;
            }
            return best;
        }
    }

    @Override
    public void close() {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // a temporary folder
        }
    }
}
