package io.vlmstreams.cli;

import io.vlmstreams.convert.CheckpointConverter;
import io.vlmstreams.inference.model.OnnxDtype;
import io.vlmstreams.convert.GraphStems;
import io.vlmstreams.convert.Layout;
import io.vlmstreams.convert.LayoutOptions;
import io.vlmstreams.convert.Rotary;
import io.vlmstreams.convert.OnnxModelFiles;
import io.vlmstreams.convert.synth.Size;
import io.vlmstreams.convert.synth.SyntheticCheckpointWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code model convert} (upstream checkpoint to ONNX folder) and {@code model synth} (seeded
 * random checkpoint, converted to ONNX in the same folder).
 */
@Command(name = "model", mixinStandardHelpOptions = true,
        description = "LFM2-VL ONNX model folders: download published ones, convert upstream checkpoints, synthesize random ones, inspect.",
        subcommands = {ModelCommand.Convert.class, ModelCommand.Synth.class, ModelInspectCommand.class,
                ModelDownloadCommand.class})
public final class ModelCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /**
     * {@code model convert --from DIR --out DIR [--dtype D[,D...]] [--layout onnx-community|split|liquid]
     * [--stems V,E,D] [--rotary gqa|embedding]}.
     */
    @Command(name = "convert", mixinStandardHelpOptions = true,
            description = "Convert an upstream LFM2-VL checkpoint (config.json, safetensors, tokenizer, processor "
                    + "settings) into an ONNX folder: onnx/vision_encoder, embed_tokens, decoder_model_merged "
                    + "(+ projector with --layout split; Liquid AI's fused graphs with --layout liquid).")
    static final class Convert implements Callable<Integer> {
        @Option(names = "--from", required = true, paramLabel = "DIR", description = "Upstream checkpoint folder.")
        Path from;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder (may be --from).")
        Path out;

        @Mixin
        OnnxOutput onnx;

        @Override
        public Integer call() {
            return reportingErrors(() -> onnx.convert(from, out));
        }
    }

    /** {@code model synth --size tiny|450m --out DIR [--seed N] [--layout ...] [--dtype ...]}. */
    @Command(name = "synth", mixinStandardHelpOptions = true,
            description = "Write a seeded random LFM2-VL checkpoint (same seed, same bytes) and convert it to ONNX "
                    + "in the same folder.")
    static final class Synth implements Callable<Integer> {
        @Option(names = "--size", required = true, converter = SizeConverter.class, paramLabel = "tiny|450m",
                description = "tiny: a few MB, the reference fixture's dimensions; 450m: LFM2-VL-450M's dimensions.")
        Size size;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
        Path out;

        @Option(names = "--seed", defaultValue = "1234", description = "Random seed (default ${DEFAULT-VALUE}).")
        long seed;

        @Mixin
        OnnxOutput onnx;

        @Override
        public Integer call() {
            return reportingErrors(() -> {
                onnx.layoutOptions(); // a wrong combination fails before the checkpoint is written
                long start = System.nanoTime();
                SyntheticCheckpointWriter.Written w = SyntheticCheckpointWriter.write(size, seed, out);
                System.out.printf("checkpoint %s: %s, seed %d, %,d parameters, model.safetensors %,d bytes (%.1f s)%n",
                        out, size.label(), seed, w.parameterCount(), w.safetensorsBytes(), seconds(start));
                onnx.convert(out, out);
            });
        }
    }

    /** Bad input (a missing file, a wrong config) is one line on stderr and exit code 2, not a stack trace. */
    private static int reportingErrors(Runnable work) {
        try {
            work.run();
            return 0;
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
    }

    /**
     * The {@code --dtype}, {@code --layout}, {@code --stems} and {@code --rotary} options both subcommands share, and
     * the conversion they drive.
     */
    static final class OnnxOutput {
        @Option(names = "--dtype", defaultValue = "fp32", split = ",", converter = DtypeConverter.class,
                paramLabel = "D", splitSynopsisLabel = ",",
                description = "Precisions to write, comma-separated (default ${DEFAULT-VALUE}): fp32, fp16, q8, int8, uint8, "
                        + "q4, q4f16. Each is a file of its own beside the others (decoder_model_merged_q4.onnx, ...); "
                        + "fp16 keeps float32 inputs and outputs, q8 is written as _quantized (MatMulInteger), q4 and "
                        + "q4f16 use MatMulNBits 4-bit. The first is the folder's default.")
        List<OnnxDtype> dtypes;

        @Option(names = "--layout", defaultValue = "onnx-community", converter = LayoutConverter.class,
                paramLabel = "onnx-community|split|liquid", description = "Graph layout (default ${DEFAULT-VALUE}): "
                        + "onnx-community as transformers.js loads it, split (projector as its own graph), or liquid "
                        + "(Liquid AI's builder: GroupQueryAttention decoder without position_ids, MultiHeadAttention "
                        + "vision encoder).")
        Layout layout;

        @Option(names = "--stems", converter = StemsConverter.class, paramLabel = "VISION,EMBED,DECODER",
                description = "File stems of the three graphs (default vision_encoder,embed_tokens,decoder_model_merged); "
                        + "embed_images,embed_tokens,decoder writes LiquidAI's LFM2.5-VL-1.6B names.")
        GraphStems stems;

        @Option(names = "--rotary", converter = RotaryConverter.class, paramLabel = "gqa|embedding",
                description = "With --layout liquid: RoPE inside GroupQueryAttention (gqa, the default) or as "
                        + "RotaryEmbedding on positions computed from the past length (embedding; batch-variant).")
        Rotary rotary;

        @Option(names = "--accuracy-level", paramLabel = "0..4",
                description = "MatMulNBits accuracy level of the q4, q4f16 and liquid q8 graphs (default: the layout's "
                        + "toolchain: 0 for onnx-community as transformers.js writes it, 4 for liquid). 4 quantizes "
                        + "activations to int8 on CPU: several times faster per token on AVX2/AVX-512.")
        Integer accuracyLevel;

        /** Converts the checkpoint in {@code from} into an ONNX folder {@code to} and prints what it wrote. */
        void convert(Path from, Path to) {
            LayoutOptions options = layoutOptions();
            long start = System.nanoTime();
            CheckpointConverter converter = accuracyLevel == null ? new CheckpointConverter()
                    : new CheckpointConverter().withAccuracyLevel(accuracyLevel);
            CheckpointConverter.Result r = converter.convert(from, to, dtypes, options);
            report(System.out, r, start);
        }

        /** The layout options given; --rotary only means something for the liquid layout. */
        LayoutOptions layoutOptions() {
            if (accuracyLevel != null && (accuracyLevel < 0 || accuracyLevel > 4)) {
                throw new IllegalArgumentException("--accuracy-level must be 0..4, not " + accuracyLevel);
            }
            if (rotary != null && layout != Layout.LIQUID) {
                throw new IllegalArgumentException("--rotary applies to --layout liquid only, not " + layout.label());
            }
            return new LayoutOptions(layout, stems == null ? GraphStems.DEFAULT : stems, rotary == null ? Rotary.GQA : rotary);
        }

        private static void report(PrintStream out, CheckpointConverter.Result r, long start) {
            for (OnnxModelFiles.SavedModel g : r.graphs()) {
                out.printf("  %s  %,d bytes%s%n", r.folder().relativize(g.onnxFile()), g.onnxBytes(),
                        g.hasExternalData() ? String.format(" + %s %,d bytes", g.dataFile().getFileName(), g.externalBytes()) : "");
            }
            out.printf("onnx folder %s written (%.1f s)%n", r.folder(), seconds(start));
        }
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    static final class DtypeConverter implements ITypeConverter<OnnxDtype> {
        @Override
        public OnnxDtype convert(String value) {
            return OnnxDtype.parse(value);
        }
    }

    static final class LayoutConverter implements ITypeConverter<Layout> {
        @Override
        public Layout convert(String value) {
            return Layout.parse(value);
        }
    }

    static final class StemsConverter implements ITypeConverter<GraphStems> {
        @Override
        public GraphStems convert(String value) {
            return GraphStems.parse(value);
        }
    }

    static final class RotaryConverter implements ITypeConverter<Rotary> {
        @Override
        public Rotary convert(String value) {
            return Rotary.parse(value);
        }
    }

    static final class SizeConverter implements ITypeConverter<Size> {
        @Override
        public Size convert(String value) {
            return Size.parse(value);
        }
    }
}
