package io.vlmstreams.cli.kernel;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code bench}'s kernel-baseline table: per batch size and stage, the weight-MatMul GFLOP/s the
 * stage achieved over its whole time, what a plain MatMul of the stage's dominant shapes reaches in
 * the same kernel and process ({@link MatMulBaseline}), and the share. Everything else a stage does
 * (attention products, convolutions, norms, the session's own overhead) counts as time, not FLOPs,
 * so the share says how close the stage comes to its MatMuls alone.
 */
public final class KernelShareTable {

    /** The baseline times the largest shapes until they cover this share of a stage's FLOPs, at most {@link #MAX_PROBES} of them. */
    static final double COVER = 0.9;
    static final int MAX_PROBES = 3;

    private final Map<Integer, List<StageWork>> byBatch = new LinkedHashMap<>();

    /** Adds the stages measured at {@code batch}. */
    public void add(int batch, List<StageWork> stages) {
        byBatch.put(batch, List.copyOf(stages));
    }

    /** Runs the baselines for every stage added, then prints the table. */
    public void print(PrintStream out, MatMulBaseline baseline) {
        long t0 = System.nanoTime();
        Map<StageWork.Probe, Double> rates = measure(baseline);
        out.printf(Locale.ROOT, "weight MatMuls per stage vs a plain MatMul of the same shapes and kernel, this process"
                + " (attention QK/AV and convolutions excluded; %d baseline shapes, %.1f s):%n", rates.size(), (System.nanoTime() - t0) / 1e9);
        out.println("batch  stage    kernel                       rows  achieved_GFLOP/s  plain_GFLOP/s  share");
        byBatch.forEach((batch, stages) -> {
            for (StageWork w : stages) {
                double plain = w.plainGflops(rates);
                double achieved = w.achievedGflops();
                out.printf(Locale.ROOT, "%5d  %-7s  %-27s  %5d  %16.1f  %13.1f  %s%n", batch, w.stage(), w.kernelLabel(),
                        w.rows(), achieved, plain, plain > 0 && w.nanos() > 0 ? String.format(Locale.ROOT, "%4.0f%%", 100 * achieved / plain) : "   -");
            }
        });
    }

    /** One session per distinct (kernel, k, n), run at every row count some stage needs. */
    Map<StageWork.Probe, Double> measure(MatMulBaseline baseline) {
        // keyed by the probe at 0 rows: one graph and session serve every row count of a shape
        Map<StageWork.Probe, Set<Long>> rowsByShape = new LinkedHashMap<>();
        for (List<StageWork> stages : byBatch.values()) {
            for (StageWork w : stages) {
                if (w.nanos() == 0) {
                    continue;
                }
                for (StageWork.Probe p : w.dominantProbes(COVER, MAX_PROBES)) {
                    rowsByShape.computeIfAbsent(new StageWork.Probe(p.kernel(), p.k(), p.n(), 0), x -> new LinkedHashSet<>()).add(p.rows());
                }
            }
        }
        Map<StageWork.Probe, Double> rates = new HashMap<>();
        rowsByShape.forEach((shape, rows) -> baseline.gflops(shape.kernel(), shape.k(), shape.n(), new ArrayList<>(rows))
                .forEach((m, rate) -> rates.put(new StageWork.Probe(shape.kernel(), shape.k(), shape.n(), m), rate)));
        return rates;
    }
}
