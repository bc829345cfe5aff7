package io.vlmstreams.inference.text;

/** A chat template that does not parse, fails while rendering, or calls {@code raise_exception}. */
public class ChatTemplateException extends RuntimeException {

    public ChatTemplateException(String message) {
        super(message);
    }
}
