package io.vlmstreams.inference.constrain;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The schema subset compiled to byte automata: what each keyword admits and refuses, and unsupported keywords named. */
class JsonSchemaAutomatonTest {

    static final String MODERATION = """
            {"type":"object","properties":{
              "label":{"enum":["safe","nsfw","violence"]},
              "confidence":{"type":"number","minimum":0,"maximum":1},
              "count":{"type":"integer","minimum":-3,"maximum":12},
              "people":{"type":"boolean"},
              "note":{"type":["string","null"],"maxLength":5},
              "tags":{"type":"array","items":{"$ref":"#/$defs/tag"},"minItems":1,"maxItems":2}
            },"required":["label","confidence","count","people","tags"],
            "$defs":{"tag":{"type":"string","pattern":"^[a-z]{1,4}$"}}}""";

    private static boolean matches(ByteDfa dfa, String text) {
        int s = dfa.walk(dfa.start(), text.getBytes(StandardCharsets.UTF_8));
        return s != ByteDfa.DEAD && dfa.accepts(s);
    }

    @Test
    void aBoundedSchemaAdmitsItsValuesInPropertyOrderAndNothingElse() {
        ByteDfa dfa = ByteDfa.of(JsonSchemaAutomaton.compile(MODERATION));
        assertThat(matches(dfa, "{\"label\":\"safe\",\"confidence\":0.25,\"count\":12,\"people\":true,\"tags\":[\"ab\"]}")).isTrue();
        assertThat(matches(dfa, "{\"label\":\"nsfw\",\"confidence\":1,\"count\":-3,\"people\":false,\"note\":null,\"tags\":[\"a\",\"zz\"]}")).isTrue();
        assertThat(matches(dfa, "{\"label\":\"nsfw\",\"confidence\":1.0,\"count\":0,\"people\":false,\"note\":\"h\\\"é\",\"tags\":[\"a\"]}")).isTrue();
        // out of bounds, leading zeros, wrong order, missing required, too long, too many items
        assertThat(matches(dfa, "{\"label\":\"safe\",\"confidence\":1.5,\"count\":1,\"people\":true,\"tags\":[\"a\"]}")).isFalse();
        assertThat(matches(dfa, "{\"label\":\"safe\",\"confidence\":0.5,\"count\":13,\"people\":true,\"tags\":[\"a\"]}")).isFalse();
        assertThat(matches(dfa, "{\"label\":\"safe\",\"confidence\":0.5,\"count\":-4,\"people\":true,\"tags\":[\"a\"]}")).isFalse();
        assertThat(matches(dfa, "{\"label\":\"safe\",\"confidence\":0.5,\"count\":01,\"people\":true,\"tags\":[\"a\"]}")).isFalse();
        assertThat(matches(dfa, "{\"confidence\":0.5,\"label\":\"safe\",\"count\":1,\"people\":true,\"tags\":[\"a\"]}")).isFalse();
        assertThat(matches(dfa, "{\"label\":\"safe\",\"confidence\":0.5,\"count\":1,\"tags\":[\"a\"]}")).isFalse();
        assertThat(matches(dfa, "{\"label\":\"safe\",\"confidence\":0.5,\"count\":1,\"people\":true,\"note\":\"123456\",\"tags\":[\"a\"]}")).isFalse();
        assertThat(matches(dfa, "{\"label\":\"safe\",\"confidence\":0.5,\"count\":1,\"people\":true,\"tags\":[\"a\",\"b\",\"c\"]}")).isFalse();
        assertThat(matches(dfa, "{\"label\":\"safe\",\"confidence\":0.5,\"count\":1,\"people\":true,\"tags\":[\"abcde\"]}")).isFalse();
    }

    @Test
    void anyOfConstAndOptionalPropertiesCompose() {
        ByteDfa dfa = ByteDfa.of(JsonSchemaAutomaton.compile("""
                {"type":"object","properties":{"a":{"const":1},"b":{"anyOf":[{"type":"null"},{"type":"integer","exclusiveMinimum":5}]}}}"""));
        assertThat(matches(dfa, "{}")).isTrue();
        assertThat(matches(dfa, "{\"a\":1}")).isTrue();
        assertThat(matches(dfa, "{\"b\":6}")).isTrue();
        assertThat(matches(dfa, "{\"a\":1,\"b\":null}")).isTrue();
        assertThat(matches(dfa, "{\"b\":5}")).isFalse();
        assertThat(matches(dfa, "{,\"b\":6}")).isFalse();
    }

    @Test
    void finishCostIsTheShortestWayToClose() {
        ByteDfa dfa = ByteDfa.of(JsonSchemaAutomaton.compile("{\"type\":\"object\",\"properties\":{\"ok\":{\"type\":\"boolean\"}},\"required\":[\"ok\"]}"));
        // {"ok":true} is 11 bytes: complete with nothing after it, so no stop token is needed
        assertThat(dfa.finishCost(dfa.start())).isEqualTo(11);
        int end = dfa.walk(dfa.start(), "{\"ok\":true}".getBytes(StandardCharsets.UTF_8));
        assertThat(dfa.complete(end)).isTrue();
        assertThat(dfa.finishCost(end)).isZero();
    }

    @Test
    void anUnsupportedKeywordIsRefusedByName() {
        assertThatThrownBy(() -> JsonSchemaAutomaton.compile("{\"type\":\"string\",\"format\":\"email\"}"))
                .isInstanceOf(UnsupportedSchemaException.class).hasMessageContaining("'format'")
                .extracting(e -> ((UnsupportedSchemaException) e).keyword()).isEqualTo("format");
        assertThatThrownBy(() -> JsonSchemaAutomaton.compile(
                "{\"type\":\"object\",\"properties\":{\"x\":{\"oneOf\":[{\"type\":\"null\"}]}}}"))
                .isInstanceOf(UnsupportedSchemaException.class).hasMessageContaining("'oneOf' at #/properties/x");
        assertThatThrownBy(() -> JsonSchemaAutomaton.compile(
                "{\"$defs\":{\"n\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/n\"}}},\"$ref\":\"#/$defs/n\"}"))
                .isInstanceOf(UnsupportedSchemaException.class).hasMessageContaining("recursive");
        assertThatThrownBy(() -> JsonSchemaAutomaton.compile("{\"type\":\"array\"}"))
                .isInstanceOf(UnsupportedSchemaException.class).hasMessageContaining("'items'");
    }

    @Test
    void aResponseRegexMustMatchTheWholeAnswer() {
        ByteDfa dfa = ByteDfa.of(RegexAutomaton.fullMatch("^(yes|no): [a-z]{1,3}\\d$"));
        assertThat(matches(dfa, "yes: ab7")).isTrue();
        assertThat(matches(dfa, "no: abcd7")).isFalse();
        assertThat(matches(dfa, "maybe: a1")).isFalse();
        ByteDfa quoted = ByteDfa.of(RegexAutomaton.fullMatch("\"[0-9]+\""));
        assertThat(matches(quoted, "\"42\"")).isTrue();
    }

    @Test
    void compileTimesArePrinted() {
        for (int round = 0; round < 3; round++) {
            long t0 = System.nanoTime();
            ByteDfa dfa = ByteDfa.of(JsonSchemaAutomaton.compile(MODERATION));
            System.out.printf("schema compile (round %d): %.2f ms, %d states%n", round, (System.nanoTime() - t0) / 1e6, dfa.states());
        }
    }
}
