package io.vlmstreams.inference.model;

/**
 * A model folder that cannot be used as it is: a missing or malformed file, a graph or precision it
 * does not ship, an upstream checkpoint where an ONNX folder was expected. The message is one short
 * paragraph for the user, naming what is missing and what is there; it is meant to be printed
 * without a stack trace. An {@link IllegalArgumentException}, so callers that report bad input
 * keep working.
 */
public class ModelFolderException extends IllegalArgumentException {

    public ModelFolderException(String message) {
        super(message);
    }

    public ModelFolderException(String message, Throwable cause) {
        super(message, cause);
    }
}
