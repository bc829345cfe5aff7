package io.vlmstreams.inference.text;

import com.hubspot.jinjava.objects.date.StrftimeFormatter;

import java.time.ZonedDateTime;

/**
 * The globals transformers gives chat templates beyond standard Jinja, registered with Jinjava by
 * {@link ChatTemplate}. Public only because Jinjava invokes them reflectively.
 */
public final class ChatTemplateFunctions {

    private ChatTemplateFunctions() {
    }

    /** {@code raise_exception(message)}: templates reject unsupported conversations with it. */
    public static Object raiseException(String message) {
        throw new ChatTemplateException("chat template raised: " + message);
    }

    /** {@code strftime_now(format)}: the current local time in a Python strftime format. */
    public static String strftimeNow(String format) {
        return StrftimeFormatter.format(ZonedDateTime.now(), format);
    }
}
