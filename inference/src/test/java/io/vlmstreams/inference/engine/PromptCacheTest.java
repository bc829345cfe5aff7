package io.vlmstreams.inference.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vlmstreams.inference.image.TileLayout;
import io.vlmstreams.devstack.Fixtures;
import io.vlmstreams.inference.text.Prompt;
import io.vlmstreams.inference.text.PromptBuilder;
import io.vlmstreams.inference.text.TextTokenizer;
import io.vlmstreams.inference.text.TinyPromptBuilder;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The cached prompt equals what the plain builder makes, for any mix of prompts, layouts and cache states. */
class PromptCacheTest {

    private static final List<TileLayout> LAYOUTS = List.of(
            new TileLayout(1, 1, false, false, 288, 448, 512, 16, 2),
            new TileLayout(2, 2, true, false, 448, 544, 512, 16, 2),
            new TileLayout(1, 3, true, true, 256, 768, 512, 16, 2),
            new TileLayout(1, 1, false, false, 512, 512, 512, 16, 2));

    private static TextTokenizer tokenizer;
    private static PromptBuilder builder;

    @BeforeAll
    static void load() throws IOException {
        tokenizer = TextTokenizer.open(Fixtures.tinyCheckpoint().resolve("tokenizer.json"));
        builder = TinyPromptBuilder.open(tokenizer);
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    @Test
    void equalsThePlainBuilderForEveryPromptAndLayout() {
        PromptCache cache = new PromptCache(builder, tokenizer);
        List<String> texts = List.of("Describe this image.", "", " leading space", "trailing space ",
                "What is <|image_start|> doing here?", "ünïcødé and\nnew lines");
        for (int round = 0; round < 2; round++) {
            for (String text : texts) {
                for (TileLayout layout : LAYOUTS) {
                    Prompt want = builder.build(text, List.of(layout.expand()));
                    Prompt got = cache.build(text, layout);
                    assertThat(got).as("%s / %s", text, layout).isEqualTo(want);
                    assertThat(got.imageTokenCount()).isEqualTo(layout.imageTokens());
                }
                assertThat(cache.reuses(text)).as("pieces of '%s' reused", text).isTrue();
            }
        }
    }

    @Test
    void rendersAgainOnceTheRenderingIsTooOld() {
        AtomicLong now = new AtomicLong();
        PromptCache cache = new PromptCache(builder, tokenizer, now::get);
        Prompt first = cache.build("Describe this image.", LAYOUTS.get(0));
        now.addAndGet(PromptCache.TTL_NANOS + 1);
        assertThat(cache.build("Describe this image.", LAYOUTS.get(1)))
                .isEqualTo(builder.build("Describe this image.", List.of(LAYOUTS.get(1).expand())));
        assertThat(cache.build("Describe this image.", LAYOUTS.get(0))).isEqualTo(first);
    }

    @Test
    void aPlaceholderInTheTextFailsEveryTime() {
        PromptCache cache = new PromptCache(builder, tokenizer);
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> cache.build("look: <image>", LAYOUTS.get(0)))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
