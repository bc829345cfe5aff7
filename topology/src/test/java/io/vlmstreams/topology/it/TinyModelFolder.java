package io.vlmstreams.topology.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.vlmstreams.convert.CheckpointConverter;
import io.vlmstreams.inference.model.OnnxDtype;
import io.vlmstreams.convert.Layout;
import io.vlmstreams.convert.synth.Size;
import io.vlmstreams.convert.synth.SyntheticCheckpointWriter;

/** A real (seeded random, tiny) LFM2-VL model converted to ONNX, made once per test JVM. */
public final class TinyModelFolder {

    private static Path folder;

    private TinyModelFolder() {
    }

    public static synchronized Path get() {
        if (folder == null) {
            try {
                Path work = Files.createTempDirectory("vlm-tiny-model-");
                SyntheticCheckpointWriter.Written checkpoint = SyntheticCheckpointWriter.write(Size.TINY, 7L, work.resolve("checkpoint"));
                folder = new CheckpointConverter().convert(checkpoint.dir(), work.resolve("onnx"), OnnxDtype.FP32,
                        Layout.ONNX_COMMUNITY).folder();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return folder;
    }
}
