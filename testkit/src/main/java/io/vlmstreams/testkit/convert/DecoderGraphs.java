package io.vlmstreams.testkit.convert;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.vlmstreams.inference.model.Lfm2VlConfig;

/** TEMPORARY compile stub on branch convert-cli; the real class comes from branch convert-decoder. */
public final class DecoderGraphs {
    private DecoderGraphs() {
    }

    public static ModelProto embedTokens(Lfm2VlConfig config, SafetensorsReader weights) {
        throw new UnsupportedOperationException("stub: merge convert-decoder");
    }

    public static ModelProto decoderMerged(Lfm2VlConfig config, SafetensorsReader weights) {
        throw new UnsupportedOperationException("stub: merge convert-decoder");
    }
}
