package io.vlmstreams.inference.onnx;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * An ONNX Runtime session together with the {@link SessionOptions} it was created with. ORT's
 * Javadoc says the options "must not be closed until all sessions which use it are closed, as
 * otherwise it could release resources that are in use", so the two live and die together: closing
 * this closes the session first, then its options. Closing twice is a no-op.
 */
public final class OwnedSession implements AutoCloseable {

    private final OrtSession session;
    private final SessionOptions options;
    private final AtomicInteger openSessions;
    private boolean closed;

    /** @param openSessions the runtime's count of open sessions, already counting this one */
    OwnedSession(OrtSession session, SessionOptions options, AtomicInteger openSessions) {
        this.session = session;
        this.options = options;
        this.openSessions = openSessions;
    }

    public OrtSession session() {
        return session;
    }

    /** The options the session was created with, e.g. to read its config entries; valid until {@link #close}. */
    SessionOptions options() {
        return options;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            session.close();
        } catch (OrtException e) {
            throw new OnnxModelException("cannot close an ONNX Runtime session: " + e.getMessage(), e);
        } finally {
            options.close();
            openSessions.decrementAndGet();
        }
    }
}
