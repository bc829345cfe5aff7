package io.vlmstreams.inference.engine;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The few requests a freshly loaded model must answer before it takes traffic: noise images drawn
 * from fixed seeds, answered greedily, so the same folder always gives the same texts. When the
 * folder holds a {@value #MANIFEST} ({@code {"answers": {"canary-1": "text", ...}}}, written by
 * {@link #manifest}), the answers must equal it; otherwise every request must simply be answered.
 */
public final class Canary {

    /** The file in a model folder that holds the canary's expected answers. */
    public static final String MANIFEST = "canary.json";

    private static final long[] SEEDS = {1L, 2L, 3L};
    private static final int SIDE = 64;
    private static final int MAX_NEW_TOKENS = 4;
    private static final String PROMPT = "Describe this image.";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Canary() {
    }

    /** The canary's requests, the same every time. */
    public static List<InferenceRequest> requests() {
        List<InferenceRequest> out = new ArrayList<>();
        for (long seed : SEEDS) {
            out.add(InferenceRequest.generate("canary-" + seed, noisePng(seed), PROMPT, GenerationSettings.greedy(MAX_NEW_TOKENS)));
        }
        return out;
    }

    /**
     * Runs the canary on {@code engine}, whose folder is {@code dir}.
     *
     * @throws InferenceException when a request fails or an answer differs from the folder's manifest
     */
    public static void check(InferenceEngine engine, Path dir) {
        Map<String, String> got = answers(engine);
        Map<String, String> expected = expected(dir);
        if (expected != null && !expected.equals(got)) {
            throw new InferenceException(InferenceException.Kind.INFERENCE_FAILED,
                    "canary answers " + got + " differ from " + dir.resolve(MANIFEST) + " " + expected);
        }
    }

    /** The canary's answers on {@code engine}, by request id. */
    public static Map<String, String> answers(InferenceEngine engine) {
        Map<String, String> got = new LinkedHashMap<>();
        for (Outcome o : engine.runBatch(requests())) {
            if (o instanceof Outcome.Failure f) {
                throw new InferenceException(InferenceException.Kind.INFERENCE_FAILED,
                        "canary request " + f.requestId() + " failed: " + f.error().getMessage(), f.error());
            }
            got.put(o.requestId(), ((Outcome.Success) o).result().text());
        }
        return got;
    }

    /** The manifest text recording {@code engine}'s canary answers, to save as {@value #MANIFEST} in its folder. */
    public static String manifest(InferenceEngine engine) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(Map.of("answers", answers(engine)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> expected(Path dir) {
        Path file = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            JsonNode answers = JSON.readTree(file.toFile()).path("answers");
            Map<String, String> out = new LinkedHashMap<>();
            answers.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
            return out;
        } catch (IOException e) {
            throw new InferenceException(InferenceException.Kind.INFERENCE_FAILED, "cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static byte[] noisePng(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        BufferedImage image = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                image.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
