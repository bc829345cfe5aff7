package io.vlmstreams.inference.model;

import java.nio.file.Path;

/**
 * One {@code .onnx} file of a folder, read as a graph in a precision: {@code decoder_q4.onnx} is the
 * decoder under its LFM2.5-VL-1.6B stem {@code decoder} with suffix {@code _q4}.
 */
public record GraphVariant(OnnxGraph graph, String stem, String suffix, OnnxDtype dtype, Path file) {

    /** The file name, e.g. {@code decoder_q4.onnx}. */
    public String fileName() {
        return stem + suffix + ".onnx";
    }

    /** External weights beside the file ({@code <file>.onnx_data}, then {@code _1}, ...) as the exporters name them. */
    public Path externalData() {
        return file.resolveSibling(fileName() + "_data");
    }
}
