package io.vlmstreams.inference.text;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import io.vlmstreams.inference.model.ModelFolder;
import jinjava.javax.el.CompositeELResolver;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A model folder's Jinja chat template, rendered with Jinjava configured the way transformers'
 * {@code apply_chat_template} sets up Jinja: {@code trim_blocks} and {@code lstrip_blocks}, one
 * trailing newline of the source dropped, loop controls, {@code raise_exception},
 * {@code strftime_now}, a Python-style {@code tojson}, Python string methods and filtered loops
 * ({@code for x in xs if cond}). Text inside the messages is never interpreted as template code.
 * Known Jinjava differences left: booleans print as {@code true}/{@code false} (Python: {@code True}),
 * and {@code for ... else} is not supported. Thread-safe.
 */
public final class ChatTemplate {

    private final String source;
    private final Map<String, Object> specialTokens;
    private final Jinjava jinjava;

    /** A template with the {@code bos_token} and {@code eos_token} it may refer to. */
    public ChatTemplate(String source, String bosToken, String eosToken) {
        // Python Jinja drops a single trailing newline of the template (keep_trailing_newline=False).
        String trimmed = source.endsWith("\r\n") ? source.substring(0, source.length() - 2)
                : source.endsWith("\n") ? source.substring(0, source.length() - 1) : source;
        this.source = LoopFilterRewriter.rewrite(JinjaWhitespace.apply(trimmed));
        Map<String, Object> tokens = new HashMap<>();
        tokens.put("bos_token", java.util.Objects.requireNonNull(bosToken, "bosToken"));
        tokens.put("eos_token", java.util.Objects.requireNonNull(eosToken, "eosToken"));
        this.specialTokens = Map.copyOf(tokens);
        this.jinjava = newJinjava();
    }

    /** The template of {@code folder} with its special tokens. */
    public static ChatTemplate of(ModelFolder folder, SpecialTokens tokens) {
        return new ChatTemplate(folder.chatTemplate(), tokens.bosToken(), tokens.eosToken());
    }

    /**
     * One user turn holding {@code images} images and then {@code text}, as upstream's processor
     * examples build it: {@code {role: user, content: [{type: image}..., {type: text, text}]}}.
     */
    public static Map<String, Object> userMessage(String text, int images) {
        List<Map<String, Object>> content = new ArrayList<>();
        for (int i = 0; i < images; i++) {
            content.add(Map.of("type", "image"));
        }
        Map<String, Object> textPart = new LinkedHashMap<>();
        textPart.put("type", "text");
        textPart.put("text", text);
        content.add(textPart);
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("role", "user");
        message.put("content", content);
        return message;
    }

    /** Renders a single user turn with images and text, followed by the generation prompt. */
    public String renderUserTurn(String text, int images) {
        return render(List.of(userMessage(text, images)), true);
    }

    /** Renders {@code messages} (maps with {@code role} and {@code content}, a string or a list of parts). */
    public String render(List<? extends Map<String, ?>> messages, boolean addGenerationPrompt) {
        return render(messages, addGenerationPrompt, Map.of());
    }

    /** As {@link #render(List, boolean)}, with further template variables such as {@code tools}. */
    public String render(List<? extends Map<String, ?>> messages, boolean addGenerationPrompt, Map<String, ?> extra) {
        Map<String, Object> context = new HashMap<>(specialTokens);
        context.putAll(extra);
        context.put("messages", messages);
        context.put("add_generation_prompt", addGenerationPrompt);
        RenderResult result = jinjava.renderForResult(source, context);
        List<TemplateError> fatal = result.getErrors().stream()
                .filter(e -> e.getSeverity() == TemplateError.ErrorType.FATAL)
                .collect(Collectors.toList());
        for (TemplateError e : fatal) {
            // raise_exception: Jinjava wraps our exception; surface the template's own message.
            for (Throwable t = e.getException(); t != null; t = t.getCause()) {
                if (t instanceof ChatTemplateException) {
                    throw new ChatTemplateException(t.getMessage());
                }
            }
        }
        if (!fatal.isEmpty()) {
            throw new ChatTemplateException("chat template failed: " + fatal.stream()
                    .map(e -> e.getMessage() + (e.getLineno() > 0 ? " (line " + e.getLineno() + ")" : ""))
                    .collect(Collectors.joining("; ")));
        }
        return result.getOutput();
    }

    private static Jinjava newJinjava() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonStringMethods());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        JinjavaConfig config = JinjavaConfig.newBuilder()
                // trim_blocks and lstrip_blocks are applied to the source by JinjaWhitespace
                // Without this Jinjava re-renders output that looks like a template: a prompt
                // containing "{{ ... }}" would be executed.
                .withNestedInterpretationEnabled(false)
                .withElResolver(resolver)
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withIterateOverMapKeys(true)
                        .withUsePyishObjectMapper(true)
                        .withParseWhitespaceControlStrictly(true)
                        .withKeepNullableLoopValues(true)
                        .build())
                .build();
        Jinjava jinjava = new Jinjava(config);
        jinjava.getGlobalContext().registerFilter(new PythonToJsonFilter());
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition(
                "", "raise_exception", ChatTemplateFunctions.class, "raiseException", String.class));
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition(
                "", "strftime_now", ChatTemplateFunctions.class, "strftimeNow", String.class));
        return jinjava;
    }
}
