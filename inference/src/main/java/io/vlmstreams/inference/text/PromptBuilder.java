package io.vlmstreams.inference.text;

import io.vlmstreams.inference.model.ModelFolder;

import java.util.List;

/**
 * Builds the model input for one request as upstream's Lfm2VlProcessor does: render the chat
 * template for a user turn with the images and the text, replace the template's image placeholders
 * in order by each image's expansion (image start/end, tile labels, one {@code <image>} per feature
 * row, made by the image preprocessing), and tokenize without adding special tokens. Thread-safe.
 */
public final class PromptBuilder {

    private final ChatTemplate template;
    private final TextTokenizer tokenizer;
    private final SpecialTokens tokens;

    public PromptBuilder(ChatTemplate template, TextTokenizer tokenizer, SpecialTokens tokens) {
        this.template = template;
        this.tokenizer = tokenizer;
        this.tokens = tokens;
    }

    /**
     * The builder for {@code folder}: its chat template and special tokens, with {@code tokenizer}
     * (the caller's, opened on {@code folder.tokenizerJson()}, and closed by the caller).
     */
    public static PromptBuilder of(ModelFolder folder, TextTokenizer tokenizer) {
        SpecialTokens tokens = SpecialTokens.read(folder, tokenizer.vocabulary());
        return new PromptBuilder(ChatTemplate.of(folder, tokens), tokenizer, tokens);
    }

    public SpecialTokens specialTokens() {
        return tokens;
    }

    /** The prompt for {@code userText} about one image per entry of {@code imageExpansions}, in order. */
    public Prompt build(String userText, List<String> imageExpansions) {
        String rendered = template.renderUserTurn(userText, imageExpansions.size());
        String text = expand(rendered, imageExpansions);
        long[] ids = tokenizer.encode(text);
        int imageTokens = 0;
        for (long id : ids) {
            if (id == tokens.imageTokenId()) {
                imageTokens++;
            }
        }
        return new Prompt(text, ids, imageTokens);
    }

    /**
     * Replaces the image placeholders of {@code rendered} in order by {@code expansions}. Like
     * upstream, a placeholder typed in the user's text counts as one, so the counts must agree.
     */
    public String expand(String rendered, List<String> expansions) {
        String placeholder = tokens.imageToken();
        StringBuilder out = new StringBuilder(rendered.length() + expansions.stream().mapToInt(String::length).sum());
        int from = 0;
        int found = 0;
        for (int at = rendered.indexOf(placeholder); at >= 0; at = rendered.indexOf(placeholder, from)) {
            if (found < expansions.size()) {
                out.append(rendered, from, at).append(expansions.get(found));
            }
            found++;
            from = at + placeholder.length();
        }
        if (found != expansions.size()) {
            throw new IllegalArgumentException("the rendered prompt holds " + found + " " + placeholder
                    + " placeholders but " + expansions.size() + " images were given"
                    + (found > expansions.size() ? " (the text itself contains " + placeholder + ")" : ""));
        }
        return out.append(rendered, from, rendered.length()).toString();
    }
}
