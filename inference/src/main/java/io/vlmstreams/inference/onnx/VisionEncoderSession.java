package io.vlmstreams.inference.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code vision_encoder.onnx}: tiles of patches to image features, one row per image token (the
 * projector is inside the graph, or in a separate {@link ProjectorSession} for split folders).
 * Not thread-safe: one batch at a time.
 */
public final class VisionEncoderSession implements AutoCloseable {

    public static final String PIXEL_VALUES = "pixel_values";
    public static final String PIXEL_ATTENTION_MASK = "pixel_attention_mask";
    public static final String SPATIAL_SHAPES = "spatial_shapes";

    private final OrtRuntime runtime;
    private final OwnedSession owned;
    private final OrtSession session;
    private final Map<String, TensorSpec> inputs;
    private final String outputName;
    private final ProjectorSession projector;

    /** @param projector the separate projector graph, or null when the encoder includes it */
    public VisionEncoderSession(OrtRuntime runtime, Path encoderFile, ProjectorSession projector) {
        this.runtime = runtime;
        this.owned = runtime.open(encoderFile);
        this.session = owned.session();
        this.projector = projector;
        try {
            this.inputs = TensorSpec.all(session.getInputInfo());
            if (!inputs.containsKey(PIXEL_VALUES)) {
                throw new OnnxModelException(encoderFile + " declares no " + PIXEL_VALUES + " input: " + inputs.keySet());
            }
            if (session.getOutputNames().isEmpty()) {
                throw new OnnxModelException(encoderFile + " declares no output");
            }
            this.outputName = session.getOutputNames().iterator().next();
        } catch (OrtException | RuntimeException e) {
            owned.close();
            throw e instanceof OnnxModelException ome ? ome
                    : new OnnxModelException("cannot read the interface of " + encoderFile + ": " + e.getMessage(), e);
        }
    }

    /** Features of {@code tiles} tiles: {@code values} holds rows of {@code width} floats, one per image token. */
    public record Features(float[] values, int rows, int width) { }

    /**
     * Encodes tiles laid out as [tiles, maxPatches, patchValues] with their masks [tiles, maxPatches]
     * and spatial shapes [tiles, 2].
     */
    public Features encode(float[] pixelValues, long[] pixelAttentionMask, long[] spatialShapes,
                           int tiles, int maxPatches, int patchValues) {
        Map<String, OnnxTensor> feed = new HashMap<>();
        try {
            OnnxJavaType pvType = inputs.get(PIXEL_VALUES).type();
            feed.put(PIXEL_VALUES, Tensors.floats(runtime.env(), pixelValues, new long[]{tiles, maxPatches, patchValues}, pvType));
            if (inputs.containsKey(PIXEL_ATTENTION_MASK)) {
                feed.put(PIXEL_ATTENTION_MASK, Tensors.longs(runtime.env(), pixelAttentionMask, new long[]{tiles, maxPatches}));
            }
            if (inputs.containsKey(SPATIAL_SHAPES)) {
                feed.put(SPATIAL_SHAPES, Tensors.longs(runtime.env(), spatialShapes, new long[]{tiles, 2}));
            }
            try (OrtSession.Result result = session.run(feed)) {
                OnnxValue out = result.get(outputName).orElseThrow();
                if (projector != null) {
                    return projector.project((OnnxTensor) out, feed);
                }
                return toFeatures((OnnxTensor) out);
            }
        } catch (OrtException e) {
            throw new OnnxModelException("vision encoder failed on " + tiles + " tiles: " + e.getMessage(), e);
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    static Features toFeatures(OnnxTensor tensor) {
        long[] shape = tensor.getInfo().getShape();
        int width = (int) shape[shape.length - 1];
        float[] values = Tensors.readFloats(tensor);
        return new Features(values, values.length / width, width);
    }

    /** Closes this encoder's session; the projector, if any, is its opener's to close. */
    @Override
    public void close() {
        owned.close();
    }
}
