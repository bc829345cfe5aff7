package io.vlmstreams.inference.engine;

import io.vlmstreams.inference.image.TileLayout;
import io.vlmstreams.inference.text.Prompt;
import io.vlmstreams.inference.text.PromptBuilder;
import io.vlmstreams.inference.text.TextTokenizer;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * {@link PromptBuilder#build} for one image, without re-rendering the chat template and
 * re-tokenizing a thousand image tokens per request. Rendering (Jinja) and tokenizing take a few
 * milliseconds, more than decoding a small image, while the prompt text is usually the same from
 * request to request and the expansion depends only on the tile layout.
 *
 * <p>On a miss it builds the prompt the ordinary way and splits the result around the image's
 * expansion into a prefix and a suffix, tokenized apart. The pieces are used only when their ids
 * joined equal the ids of the whole text, which holds when the expansion's first and last tokens
 * are special tokens (the tokenizer splits the text at those before anything else). Otherwise
 * the prompt text keeps being built the ordinary way. A rendering is reused for at most
 * {@link #TTL_NANOS}, so a template that prints the time ({@code strftime_now}) is at most that
 * stale. Thread-safe.
 */
final class PromptCache {

    /** Longest reuse of one rendering. */
    static final long TTL_NANOS = 1_000_000_000L;
    private static final int MAX_PROMPTS = 256;
    private static final int MAX_LAYOUTS = 1024;

    private final PromptBuilder prompts;
    private final TextTokenizer tokenizer;
    private final long imageTokenId;
    private final LongSupplier clock;
    private final Map<String, Template> templates = new ConcurrentHashMap<>();
    private final Map<TileLayout, Expansion> expansions = new ConcurrentHashMap<>();

    PromptCache(PromptBuilder prompts, TextTokenizer tokenizer) {
        this(prompts, tokenizer, System::nanoTime);
    }

    PromptCache(PromptBuilder prompts, TextTokenizer tokenizer, LongSupplier clock) {
        this.prompts = prompts;
        this.tokenizer = tokenizer;
        this.imageTokenId = prompts.specialTokens().imageTokenId();
        this.clock = clock;
    }

    /** What {@code prompts.build(userText, List.of(layout.expand()))} returns. */
    Prompt build(String userText, TileLayout layout) {
        long now = clock.getAsLong();
        Template t = templates.get(userText);
        if (t == null || now - t.renderedAt() > TTL_NANOS) {
            return buildAndRemember(userText, layout, now);
        }
        if (t.prefix() == null) {
            return prompts.build(userText, List.of(layout.expand()));
        }
        Expansion e = expansion(layout);
        long[] ids = new long[t.prefixIds().length + e.ids().length + t.suffixIds().length];
        System.arraycopy(t.prefixIds(), 0, ids, 0, t.prefixIds().length);
        System.arraycopy(e.ids(), 0, ids, t.prefixIds().length, e.ids().length);
        System.arraycopy(t.suffixIds(), 0, ids, t.prefixIds().length + e.ids().length, t.suffixIds().length);
        return new Prompt(t.prefix() + e.text() + t.suffix(), ids, count(ids));
    }

    /** Whether prompts for {@code userText} are being assembled from cached pieces. */
    boolean reuses(String userText) {
        Template t = templates.get(userText);
        return t != null && t.prefix() != null;
    }

    private Prompt buildAndRemember(String userText, TileLayout layout, long now) {
        String expansion = layout.expand();
        Prompt full = prompts.build(userText, List.of(expansion));
        String text = full.text();
        int at = text.indexOf(expansion);
        Template t = new Template(null, null, null, null, now);
        if (at >= 0 && at == text.lastIndexOf(expansion)) {
            String prefix = text.substring(0, at);
            String suffix = text.substring(at + expansion.length());
            long[] prefixIds = encode(prefix);
            long[] suffixIds = encode(suffix);
            long[] ids = full.inputIds();
            int middle = ids.length - prefixIds.length - suffixIds.length;
            if (middle >= 0
                    && Arrays.equals(ids, 0, prefixIds.length, prefixIds, 0, prefixIds.length)
                    && Arrays.equals(ids, prefixIds.length + middle, ids.length, suffixIds, 0, suffixIds.length)) {
                long[] middleIds = Arrays.copyOfRange(ids, prefixIds.length, prefixIds.length + middle);
                if (Arrays.equals(middleIds, encode(expansion))) {
                    t = new Template(prefix, suffix, prefixIds, suffixIds, now);
                    remember(expansions, layout, new Expansion(expansion, middleIds), MAX_LAYOUTS);
                }
            }
        }
        remember(templates, userText, t, MAX_PROMPTS);
        return full;
    }

    private Expansion expansion(TileLayout layout) {
        Expansion e = expansions.get(layout);
        if (e == null) {
            String text = layout.expand();
            e = new Expansion(text, tokenizer.encode(text));
            remember(expansions, layout, e, MAX_LAYOUTS);
        }
        return e;
    }

    private long[] encode(String text) {
        return text.isEmpty() ? new long[0] : tokenizer.encode(text);
    }

    private int count(long[] ids) {
        int n = 0;
        for (long id : ids) {
            if (id == imageTokenId) {
                n++;
            }
        }
        return n;
    }

    /** Bounded by starting over: prompts and layouts in use come back at once, the rest stay out. */
    private static <K, V> void remember(Map<K, V> map, K key, V value, int max) {
        if (map.size() >= max) {
            map.clear();
        }
        map.put(key, value);
    }

    /** A rendered user turn split around its image; all null but the time when it cannot be split. */
    private record Template(String prefix, String suffix, long[] prefixIds, long[] suffixIds, long renderedAt) {
    }

    private record Expansion(String text, long[] ids) {
    }
}
