package io.vlmstreams.inference.engine;

import java.util.List;

/**
 * Test seam: the engine calls these at the points where a test needs to fail or hold the model
 * (production uses {@link BatchFaults}, which does nothing unless fault injection is configured).
 * An unchecked exception thrown here fails the model work it precedes, as ONNX Runtime's would.
 */
interface ModelHooks {

    /** On the caller's thread, once a model batch is queued for the model thread. */
    default void queued(List<PreparedRequest> batch) {
    }

    /** On the model thread, before a model batch is encoded (and, from there, classified or prefilled). */
    default void beforeModel(List<PreparedRequest> batch) {
    }

    /** On the model thread, before each continuous decode step, with the requests whose rows it carries. */
    default void beforeDecodeStep(List<PreparedRequest> decoding) {
    }
}
