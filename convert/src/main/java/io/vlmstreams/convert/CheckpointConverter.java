package io.vlmstreams.convert;

import io.vlmstreams.inference.model.OnnxDtype;
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
import java.util.List;
import java.util.function.Supplier;

/**
 * Converts an upstream LFM2-VL checkpoint (config.json, safetensors single or sharded, tokenizer,
 * chat template, processor settings) into an ONNX model folder: the files of
 * {@link CompanionFiles} plus {@code onnx/vision_encoder}, {@code embed_tokens},
 * {@code decoder_model_merged} (and {@code projector} in the {@link Layout#SPLIT} layout; other
 * stems and builders per {@link LayoutOptions}), each with the suffix of its {@link OnnxDtype}. A
 * graph whose weights exceed the external-data limit keeps them in {@code <graph>.onnx_data}
 * (every tensor over 1 KiB), which is what lets the 450M decoder be written at all; smaller graphs
 * are self-contained files.
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

    /** A converter with the default external-data limit. */
    public CheckpointConverter() {
        this(DEFAULT_EXTERNAL_DATA_ABOVE);
    }

    /** A converter that moves the weights of graphs larger than {@code externalDataAboveBytes} out. */
    public CheckpointConverter(long externalDataAboveBytes) {
        if (externalDataAboveBytes < 0) {
            throw new IllegalArgumentException("external data limit must be >= 0: " + externalDataAboveBytes);
        }
        this.externalDataAbove = externalDataAboveBytes;
    }

    /** Converts the checkpoint in {@code from} into the model folder {@code out} (may equal {@code from}). */
    public Result convert(Path from, Path out, OnnxDtype dtype, Layout layout) {
        return convert(from, out, dtype, LayoutOptions.of(layout));
    }

    /** As {@link #convert(Path, Path, OnnxDtype, Layout)}, with the graphs' stems and rotary placement chosen. */
    public Result convert(Path from, Path out, OnnxDtype dtype, LayoutOptions layout) {
        if (dtype != OnnxDtype.FP32 && dtype != OnnxDtype.FP16) {
            throw new IllegalArgumentException("the converter writes fp32 and fp16, not " + dtype);
        }
        CompanionFiles companions = CompanionFiles.check(from);
        Lfm2VlConfig config = Lfm2VlConfig.read(from.resolve("config.json"));
        Path onnx = out.resolve("onnx");
        List<OnnxModelFiles.SavedModel> saved = new ArrayList<>();
        try (SafetensorsReader weights = SafetensorsReader.open(from)) {
            Files.createDirectories(onnx);
            for (Path stale : layout.staleFiles(onnx, dtype)) {
                Files.deleteIfExists(stale);
            }
            for (LayoutOptions.PlannedGraph graph : layout.graphs(config, weights)) {
                saved.add(write(onnx, graph.stem(), dtype, graph.build()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + onnx + ": " + e.getMessage(), e);
        }
        companions.writeTo(out);
        CompanionFiles.describeGraphs(out, dtype);
        return new Result(out, config, List.copyOf(saved));
    }

    private OnnxModelFiles.SavedModel write(Path dir, String graph, OnnxDtype dtype, Supplier<ModelProto> build) {
        long start = System.nanoTime();
        ModelProto model = build.get();
        if (dtype == OnnxDtype.FP16) {
            model = Float16Weights.convert(model);
        }
        long threshold = weightBytes(model) > externalDataAbove ? EXTERNAL_TENSOR_MIN_BYTES : Long.MAX_VALUE;
        OnnxModelFiles.SavedModel saved = OnnxModelFiles.save(model, dir.resolve(graph + dtype.suffixes().get(0) + ".onnx"), threshold);
        LOG.info("wrote {} ({} bytes{}) in {} ms", saved.onnxFile(), saved.onnxBytes(),
                saved.hasExternalData() ? " + " + saved.externalBytes() + " external" : "",
                (System.nanoTime() - start) / 1_000_000);
        return saved;
    }

    private static long weightBytes(ModelProto model) {
        long total = 0;
        for (TensorProto t : model.getGraph().getInitializerList()) {
            total += t.getRawData().size();
        }
        return total;
    }
}
