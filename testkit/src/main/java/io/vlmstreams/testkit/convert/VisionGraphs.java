package io.vlmstreams.testkit.convert;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.vlmstreams.inference.model.Lfm2VlConfig;

/** TEMPORARY compile stub on branch convert-cli; the real class comes from branch convert-vision. */
public final class VisionGraphs {
    private VisionGraphs() {
    }

    public static ModelProto visionEncoder(Lfm2VlConfig config, SafetensorsReader weights, boolean includeProjector) {
        throw new UnsupportedOperationException("stub: merge convert-vision");
    }

    public static ModelProto projector(Lfm2VlConfig config, SafetensorsReader weights) {
        throw new UnsupportedOperationException("stub: merge convert-vision");
    }
}
