package io.vlmstreams.convert;

import io.vlmstreams.convert.precision.AccuracyLevel;
import io.vlmstreams.inference.model.OnnxDtype;
import io.vlmstreams.inference.model.OnnxGraph;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import io.vlmstreams.inference.model.Lfm2VlConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Supplier;

/**
 * Converts an upstream LFM2-VL checkpoint (config.json, safetensors single or sharded, tokenizer,
 * chat template, processor settings) into an ONNX model folder: the files of
 * {@link CompanionFiles} plus {@code onnx/vision_encoder}, {@code embed_tokens},
 * {@code decoder_model_merged} (and {@code projector} in the {@link Layout#SPLIT} layout; other
 * stems and builders per {@link LayoutOptions}), each in every precision asked for, with the suffix
 * its {@link Toolchain} gives it. A graph whose
 * weights exceed the external-data limit keeps them in {@code <graph>.onnx_data} (every tensor
 * over 1 KiB), which is what lets the 450M decoder be written at all; smaller graphs are
 * self-contained files.
 */
public final class CheckpointConverter {

    /** Default: graphs with more weight bytes than this use external data (1 GiB). */
    public static final long DEFAULT_EXTERNAL_DATA_ABOVE = 1L << 30;

    /** Tensors this small stay inside the .onnx file even when the graph uses external data. */
    public static final long EXTERNAL_TENSOR_MIN_BYTES = 1024;

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointConverter.class);

    /** What a conversion wrote. */
    public record Result(Path folder, Lfm2VlConfig config, List<OnnxModelFiles.SavedModel> graphs) {
    }

    private final long externalDataAbove;
    /** MatMulNBits accuracy level for every quantized variant; null: the toolchain's own. */
    private final AccuracyLevel accuracyLevel;

    /** A converter with the default external-data limit. */
    public CheckpointConverter() {
        this(DEFAULT_EXTERNAL_DATA_ABOVE);
    }

    /** A converter that moves the weights of graphs larger than {@code externalDataAboveBytes} out. */
    public CheckpointConverter(long externalDataAboveBytes) {
        this(externalDataAboveBytes, null);
    }

    private CheckpointConverter(long externalDataAboveBytes, AccuracyLevel accuracyLevel) {
        if (externalDataAboveBytes < 0) {
            throw new IllegalArgumentException("external data limit must be >= 0: " + externalDataAboveBytes);
        }
        this.externalDataAbove = externalDataAboveBytes;
        this.accuracyLevel = accuracyLevel;
    }

    /**
     * This converter writing every MatMulNBits node (q4, q4f16, liquid q8) with {@code level} instead of
     * the toolchain's own (transformers.js 0, liquidonnx 4); see {@link AccuracyLevel}.
     */
    public CheckpointConverter withAccuracyLevel(int level) {
        return new CheckpointConverter(externalDataAbove, new AccuracyLevel(level));
    }

    /** Converts the checkpoint in {@code from} into the model folder {@code out} (may equal {@code from}). */
    public Result convert(Path from, Path out, OnnxDtype dtype, Layout layout) {
        return convert(from, out, List.of(dtype), LayoutOptions.of(layout));
    }

    /** As {@link #convert(Path, Path, OnnxDtype, Layout)}, with the graphs' stems and rotary placement chosen. */
    public Result convert(Path from, Path out, OnnxDtype dtype, LayoutOptions layout) {
        return convert(from, out, List.of(dtype), layout);
    }

    /** As {@link #convert(Path, Path, List, LayoutOptions)} with the layout's default stems and rotary placement. */
    public Result convert(Path from, Path out, List<OnnxDtype> dtypes, Layout layout) {
        return convert(from, out, dtypes, LayoutOptions.of(layout));
    }

    /**
     * Converts the checkpoint into {@code out} in every precision of {@code dtypes}: each graph is
     * built once in fp32, then each precision's pass ({@link Toolchain.Recipe}) writes its suffixed
     * file beside the others, as published folders hold them. {@code config.json}'s
     * {@code transformers.js_config.dtype} names the first of {@code dtypes}.
     */
    public Result convert(Path from, Path out, List<OnnxDtype> dtypes, LayoutOptions layout) {
        Toolchain toolchain = toolchain(layout.layout());
        List<OnnxDtype> wanted = new ArrayList<>(new LinkedHashSet<>(dtypes));
        if (wanted.isEmpty()) {
            throw new IllegalArgumentException("no dtype to write");
        }
        wanted.forEach(toolchain::recipe); // a precision the toolchain lacks fails before anything is written
        CompanionFiles companions = CompanionFiles.check(from);
        Lfm2VlConfig config = Lfm2VlConfig.read(from.resolve("config.json"));
        Path onnx = out.resolve("onnx");
        List<OnnxModelFiles.SavedModel> saved = new ArrayList<>();
        try (SafetensorsReader weights = SafetensorsReader.open(from)) {
            Files.createDirectories(onnx);
            for (OnnxDtype d : wanted) {
                for (Path stale : layout.staleFiles(onnx, toolchain.recipe(d).suffix())) {
                    Files.deleteIfExists(stale);
                }
            }
            Variants variants = new Variants(onnx, toolchain, wanted);
            for (LayoutOptions.PlannedGraph graph : layout.graphs(config, weights)) {
                saved.addAll(variants.write(graph.graph(), graph.stem(), graph.build()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + onnx + ": " + e.getMessage(), e);
        }
        companions.writeTo(out);
        CompanionFiles.describeGraphs(out, wanted.get(0));
        return new Result(out, config, List.copyOf(saved));
    }

    /** Which toolchain's precisions a layout publishes. */
    private static Toolchain toolchain(Layout layout) {
        return switch (layout) {
            case ONNX_COMMUNITY, SPLIT -> Toolchain.TRANSFORMERS_JS;
            case LIQUID -> Toolchain.LIQUIDONNX;
        };
    }

    /** Writes one graph in every wanted precision from a single fp32 build. */
    private final class Variants {
        private final Path dir;
        private final Toolchain toolchain;
        private final List<OnnxDtype> dtypes;

        Variants(Path dir, Toolchain toolchain, List<OnnxDtype> dtypes) {
            this.dir = dir;
            this.toolchain = toolchain;
            this.dtypes = dtypes;
        }

        List<OnnxModelFiles.SavedModel> write(OnnxGraph graph, String stem, Supplier<ModelProto> build) {
            List<OnnxDtype> here = dtypes.stream().filter(d -> toolchain.writes(graph, d)).toList();
            if (here.isEmpty()) {
                return List.of();
            }
            long start = System.nanoTime();
            ModelProto fp32 = build.get();
            LOG.info("built {} in {} ms", stem, (System.nanoTime() - start) / 1_000_000);
            List<OnnxModelFiles.SavedModel> out = new ArrayList<>();
            for (OnnxDtype d : here) {
                out.add(save(stem, toolchain.recipe(d), fp32));
            }
            return out;
        }

        private OnnxModelFiles.SavedModel save(String stem, Toolchain.Recipe recipe, ModelProto fp32) {
            long start = System.nanoTime();
            ModelProto model = recipe.apply(fp32);
            if (accuracyLevel != null) {
                model = accuracyLevel.apply(model);
            }
            long threshold = weightBytes(model) > externalDataAbove ? EXTERNAL_TENSOR_MIN_BYTES : Long.MAX_VALUE;
            OnnxModelFiles.SavedModel saved = OnnxModelFiles.save(model, dir.resolve(stem + recipe.suffix() + ".onnx"), threshold);
            LOG.info("wrote {} ({} bytes{}) in {} ms", saved.onnxFile(), saved.onnxBytes(),
                    saved.hasExternalData() ? " + " + saved.externalBytes() + " external" : "",
                    (System.nanoTime() - start) / 1_000_000);
            return saved;
        }
    }

    private static long weightBytes(ModelProto model) {
        long total = 0;
        for (TensorProto t : model.getGraph().getInitializerList()) {
            total += t.getRawData().size();
        }
        return total;
    }
}
