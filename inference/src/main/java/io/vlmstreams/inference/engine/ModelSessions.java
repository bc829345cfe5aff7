package io.vlmstreams.inference.engine;

import io.vlmstreams.inference.model.ModelFolder;
import io.vlmstreams.inference.onnx.DecoderSession;
import io.vlmstreams.inference.onnx.EmbedTokensSession;
import io.vlmstreams.inference.onnx.OrtRuntime;
import io.vlmstreams.inference.onnx.ProjectorSession;
import io.vlmstreams.inference.onnx.VisionEncoderSession;

/** The ONNX sessions of one model folder, opened on one runtime; closed together. */
final class ModelSessions implements AutoCloseable {

    final OrtRuntime runtime;
    final VisionEncoderSession vision;
    final EmbedTokensSession embed;
    final DecoderSession decoder;
    private final ProjectorSession projector;

    ModelSessions(ModelFolder folder, OrtRuntime runtime) {
        this.runtime = runtime;
        ProjectorSession p = null;
        VisionEncoderSession v = null;
        EmbedTokensSession e = null;
        try {
            p = folder.projector().map(path -> new ProjectorSession(runtime, path)).orElse(null);
            v = new VisionEncoderSession(runtime, folder.visionEncoder(), p);
            e = new EmbedTokensSession(runtime, folder.embedTokens());
            this.decoder = new DecoderSession(runtime, folder.decoder());
        } catch (RuntimeException ex) {
            for (AutoCloseable c : new AutoCloseable[]{e, v, p}) {
                closeQuietly(c);
            }
            throw ex;
        }
        this.projector = p;
        this.vision = v;
        this.embed = e;
    }

    @Override
    public void close() {
        for (AutoCloseable c : new AutoCloseable[]{decoder, embed, vision, projector}) {
            closeQuietly(c);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception ignored) {
            // best effort while tearing down
        }
    }
}
