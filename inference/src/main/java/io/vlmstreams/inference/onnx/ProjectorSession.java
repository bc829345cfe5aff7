package io.vlmstreams.inference.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code projector.onnx} of split folders: the vision tower's output to image features, one row per
 * image token. Its main input is the encoder's output; encoder inputs it also declares (masks,
 * spatial shapes, needed to drop padding and unshuffle per tile) are passed along.
 */
public final class ProjectorSession implements AutoCloseable {

    private final OwnedSession owned;
    private final OrtSession session;
    private final Set<String> inputNames;
    private final String outputName;

    public ProjectorSession(OrtRuntime runtime, Path file) {
        this.owned = runtime.open(file);
        this.session = owned.session();
        this.inputNames = session.getInputNames();
        if (session.getOutputNames().isEmpty()) {
            owned.close();
            throw new OnnxModelException(file + " declares no output");
        }
        this.outputName = session.getOutputNames().iterator().next();
    }

    VisionEncoderSession.Features project(OnnxTensor visionOutput, Map<String, OnnxTensor> encoderInputs) throws OrtException {
        Map<String, OnnxTensor> feed = new HashMap<>();
        String main = null;
        for (String name : inputNames) {
            if (encoderInputs.containsKey(name)) {
                feed.put(name, encoderInputs.get(name));
            } else if (main == null) {
                main = name;
            } else {
                throw new OnnxModelException("projector declares unknown inputs " + inputNames);
            }
        }
        if (main == null) {
            throw new OnnxModelException("projector declares no input for the vision output: " + inputNames);
        }
        feed.put(main, visionOutput);
        try (OrtSession.Result result = session.run(feed)) {
            return VisionEncoderSession.toFeatures((OnnxTensor) result.get(outputName).orElseThrow());
        }
    }

    @Override
    public void close() {
        owned.close();
    }
}
