package io.vlmstreams.inference.engine;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An engine on the tiny model and, beside it, the same parts opened on their own, for tests that check the
 * engine's answers against the parts driven by hand; default config. Register it as a static
 * {@code @RegisterExtension} field: it opens both before the class's tests and closes them after.
 */
final class TinyEngineAndParts implements BeforeAllCallback, AfterAllCallback {

    private ModelParts parts;
    private LocalInferenceEngine engine;

    @Override
    public void beforeAll(ExtensionContext context) {
        EngineConfig config = EngineConfig.defaults(TinyModel.onnxFolder());
        parts = ModelParts.open(config, new ModelHooks() { }, new EngineStats());
        engine = LocalInferenceEngine.open(config);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        engine.close();
        parts.close();
    }

    ModelParts parts() {
        return parts;
    }

    LocalInferenceEngine engine() {
        return engine;
    }
}
