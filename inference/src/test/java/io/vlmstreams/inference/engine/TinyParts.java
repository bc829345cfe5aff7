package io.vlmstreams.inference.engine;

import io.vlmstreams.inference.image.ImageLimits;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The engine's parts on the tiny model, for tests that drive {@link BatchRunner} and
 * {@link DecodeScheduler} directly. EXIF orientation is off, as upstream's reference inputs have it.
 */
final class TinyParts {

    /** Hooks whose model batches fail while they hold one of {@link #failing} (as ONNX Runtime would throw). */
    static final class FailingHooks implements ModelHooks {
        final Set<String> failing = ConcurrentHashMap.newKeySet();

        @Override
        public void beforeModel(List<PreparedRequest> batch) {
            for (PreparedRequest p : batch) {
                if (failing.contains(p.request().requestId())) {
                    throw new BatchFaults.InjectedFault("test fault for " + p.request().requestId());
                }
            }
        }
    }

    private TinyParts() {
    }

    static EngineConfig config() {
        return EngineConfig.defaults(TinyModel.onnxFolder()).withImageLimits(ImageLimits.defaults().withApplyExifOrientation(false));
    }

    static ModelParts open(ModelHooks hooks, EngineStats stats) {
        return ModelParts.open(config(), hooks, stats);
    }

    static InferenceRequest greedy(String id, String image, int maxNew) {
        return InferenceRequest.generate(id, TinyModel.imageBytes(image), "Describe this image.", GenerationSettings.greedy(maxNew));
    }

    static InferenceResult success(Outcome o) {
        if (!(o instanceof Outcome.Success s)) {
            throw new AssertionError("expected an answer, got " + o);
        }
        return s.result();
    }

    static List<String> ids(List<PreparedRequest> requests) {
        return requests.stream().map(p -> p.request().requestId()).toList();
    }
}
