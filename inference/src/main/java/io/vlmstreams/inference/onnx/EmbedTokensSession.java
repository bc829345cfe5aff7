package io.vlmstreams.inference.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/** {@code embed_tokens.onnx}: token ids [batch, seq] to embeddings [batch, seq, hidden] as float32. Thread-safe. */
public final class EmbedTokensSession implements AutoCloseable {

    private final OrtRuntime runtime;
    private final OwnedSession owned;
    private final OrtSession session;
    private final String inputName;
    private final String outputName;

    public EmbedTokensSession(OrtRuntime runtime, Path file) {
        this.runtime = runtime;
        this.owned = runtime.open(file);
        this.session = owned.session();
        try {
            this.inputName = pick(session.getInputNames(), "input_ids", file, "input");
            this.outputName = pick(session.getOutputNames(), "inputs_embeds", file, "output");
        } catch (RuntimeException e) {
            owned.close();
            throw e;
        }
    }

    private static String pick(Set<String> names, String preferred, Path file, String what) {
        if (names.contains(preferred)) {
            return preferred;
        }
        if (names.isEmpty()) {
            throw new OnnxModelException(file + " declares no " + what);
        }
        return names.iterator().next();
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
        owned.close();
    }
}
