package io.vlmstreams.inference.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.file.Path;
import java.util.Map;

/** {@code embed_tokens.onnx}: token ids [batch, seq] to embeddings [batch, seq, hidden] as float32. Thread-safe. */
public final class EmbedTokensSession implements AutoCloseable {

    private final OrtRuntime runtime;
    private final OrtSession session;
    private final String inputName;
    private final String outputName;

    public EmbedTokensSession(OrtRuntime runtime, Path file) {
        this.runtime = runtime;
        this.session = runtime.open(file);
        this.inputName = session.getInputNames().contains("input_ids") ? "input_ids" : session.getInputNames().iterator().next();
        this.outputName = session.getOutputNames().contains("inputs_embeds") ? "inputs_embeds" : session.getOutputNames().iterator().next();
    }

    /** Embeddings of {@code ids} laid out [batch, seq]; returns [batch, seq, hidden] row-major. */
    public float[] embed(long[] ids, int batch, int seq) {
        try (OnnxTensor input = Tensors.longs(runtime.env(), ids, new long[]{batch, seq});
             OrtSession.Result result = session.run(Map.of(inputName, input))) {
            return Tensors.readFloats((OnnxTensor) result.get(outputName).orElseThrow());
        } catch (OrtException e) {
            throw new OnnxModelException("embed_tokens failed on [" + batch + ", " + seq + "]: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new OnnxModelException("cannot close embed_tokens", e);
        }
    }
}
