package io.vlmstreams.cli.kernel;

import io.vlmstreams.inference.engine.EngineStats;
import io.vlmstreams.inference.model.GraphInfo;
import io.vlmstreams.inference.model.ModelFolder;
import io.vlmstreams.inference.model.OnnxGraph;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The weight-MatMul work one engine stage did over a stretch of {@link EngineStats}: each weight
 * MatMul of the stage's graph, how many rows it took in all and per call, and the stage's time.
 * Rows come from the stats: the encoder's patches are its image tokens times the downsample
 * factor squared (patch padding is not counted), the projector's rows its image tokens, the
 * decoder's rows the prompt tokens (prefill; the LM head one row per request where the graph keeps
 * only the last logits) or the sequences each step carried (decode).
 *
 * @param rows  the stage's rows per call (patches, prompt tokens, sequences per step), for the table
 */
public record StageWork(String stage, long nanos, long rows, List<Term> terms) {

    /** Row counts capped for the baseline: a GEMM's rate has levelled off well before this, and memory stays small. */
    static final long MAX_BASELINE_ROWS = 4096;

    /** One weight MatMul's share of the stage. */
    public record Term(WeightShape shape, long rowsTotal, long rowsPerCall) {
        public double flops() {
            return (double) shape.flopsPerRow() * rowsTotal;
        }

        /** The shape the baseline runs: kernel, k, n and rows per call. */
        public Probe probe() {
            return new Probe(shape.kernel(), shape.k(), shape.n(), Math.max(1, Math.min(MAX_BASELINE_ROWS, rowsPerCall)));
        }
    }

    /** One baseline measurement. */
    public record Probe(Kernel kernel, long k, long n, long rows) {
    }

    public StageWork {
        terms = List.copyOf(terms);
    }

    public double flops() {
        return terms.stream().mapToDouble(Term::flops).sum();
    }

    /** Achieved weight-MatMul GFLOP/s over the stage's whole time. */
    public double achievedGflops() {
        return nanos == 0 ? 0 : flops() / nanos;
    }

    /** The kernel doing most of the stage's FLOPs, with {@code +} when others do some. */
    public String kernelLabel() {
        Map<Kernel, Double> by = new HashMap<>();
        terms.forEach(t -> by.merge(t.shape().kernel(), t.flops(), Double::sum));
        String top = by.entrySet().stream().max(Map.Entry.comparingByValue()).map(e -> e.getKey().label()).orElse("-");
        return by.size() > 1 ? top + " +" : top;
    }

    /**
     * The distinct shapes doing the most FLOPs, largest first, until they cover {@code cover} of the
     * stage or {@code max} of them: the baseline times these and takes the rest at the same rate.
     */
    public List<Probe> dominantProbes(double cover, int max) {
        Map<Probe, Double> by = new HashMap<>();
        terms.forEach(t -> by.merge(t.probe(), t.flops(), Double::sum));
        List<Map.Entry<Probe, Double>> sorted = new ArrayList<>(by.entrySet());
        sorted.sort(Map.Entry.<Probe, Double>comparingByValue(Comparator.reverseOrder()));
        List<Probe> out = new ArrayList<>();
        double total = flops();
        double covered = 0;
        for (Map.Entry<Probe, Double> e : sorted) {
            if (out.size() >= max || (total > 0 && covered >= cover * total)) {
                break;
            }
            out.add(e.getKey());
            covered += e.getValue();
        }
        return out;
    }

    /**
     * The rate a plain kernel would reach on this stage's mix: its FLOPs over the time the measured
     * probes would take for their share ({@code gflops} by probe), the unmeasured rest at the same rate.
     */
    public double plainGflops(Map<Probe, Double> gflops) {
        double flops = 0;
        double nanos = 0;
        for (Term t : terms) {
            Double rate = gflops.get(t.probe());
            if (rate != null && rate > 0) {
                flops += t.flops();
                nanos += t.flops() / rate;
            }
        }
        return nanos == 0 ? 0 : flops / nanos;
    }

    /** Encoder, prefill and decode over {@code s}, with the weight MatMuls of the graphs {@code folder} opened. */
    public static List<StageWork> of(ModelFolder folder, EngineStats.Snapshot s) {
        List<StageWork> out = new ArrayList<>();
        long batches = Math.max(1, s.batches());
        GraphInfo vision = folder.graphInfo().get(OnnxGraph.VISION_ENCODER);
        if (vision != null) {
            List<WeightShape> shapes = new ArrayList<>(GraphMatMuls.vision(vision, false));
            GraphInfo projector = folder.graphInfo().get(OnnxGraph.PROJECTOR);
            if (projector != null) {
                shapes.addAll(GraphMatMuls.vision(projector, true));
            }
            long factor = folder.config().downsampleFactor();
            long patches = s.imageTokens() * factor * factor;
            List<Term> terms = new ArrayList<>();
            for (WeightShape w : shapes) {
                long total = w.rows() == WeightShape.Rows.IMAGE_TOKEN ? s.imageTokens() : patches;
                terms.add(new Term(w, total, total / batches));
            }
            out.add(new StageWork("encoder", s.encodeNanos(), patches / batches, terms));
        }
        GraphInfo decoder = folder.graphInfo().get(OnnxGraph.DECODER);
        if (decoder != null) {
            List<WeightShape> shapes = GraphMatMuls.decoder(decoder, folder.config().text().vocabSize());
            boolean lastLogitsOnly = folder.traits().decoder().numLogitsToKeep();
            List<Term> prefill = new ArrayList<>();
            List<Term> decode = new ArrayList<>();
            long steps = Math.max(1, s.decodeSteps());
            for (WeightShape w : shapes) {
                long total = w.rows() == WeightShape.Rows.HEAD && lastLogitsOnly ? s.requests() : s.prefillTokens();
                prefill.add(new Term(w, total, total / batches));
                decode.add(new Term(w, s.decodedRows(), Math.round((double) s.decodedRows() / steps)));
            }
            out.add(new StageWork("prefill", s.prefillNanos(), s.prefillTokens() / batches, prefill));
            out.add(new StageWork("decode", s.decodeNanos(), Math.round((double) s.decodedRows() / steps), decode));
        }
        return out;
    }
}
