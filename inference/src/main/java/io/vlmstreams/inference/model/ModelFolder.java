package io.vlmstreams.inference.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * An LFM2-VL model folder in the onnx-community layout, resolved for one {@link DtypeSelection}:
 * the configs, tokenizer files, chat template and the {@code onnx/} graphs to load. Everything is
 * read and checked once in {@link #open}; errors name the folder and the missing or bad file.
 *
 * <p>Two layouts are accepted: {@code vision_encoder}, {@code embed_tokens} and
 * {@code decoder_model_merged} (the vision encoder includes the projector), and the split layout
 * that also ships {@code projector}, whose vision encoder then outputs features before the projector.
 * The JSON nodes are shared, treat them as read-only.
 */
public record ModelFolder(
        Path dir,
        DtypeSelection dtype,
        Lfm2VlConfig config,
        GenerationConfig generationConfig,
        JsonNode imageProcessorConfig,
        Path tokenizerJson,
        JsonNode tokenizerConfig,
        String chatTemplate,
        Map<OnnxGraph, Path> graphs) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public ModelFolder {
        graphs = Map.copyOf(graphs);
    }

    /** Opens {@code dir} with a dtype setting such as {@code q4} or {@code vision_encoder=fp16,decoder_model_merged=q4}. */
    public static ModelFolder open(Path dir, String dtype) {
        return open(dir, DtypeSelection.parse(dtype));
    }

    /** Opens {@code dir}, resolving every graph file for {@code dtype}. */
    public static ModelFolder open(Path dir, DtypeSelection dtype) {
        return new Reader(dir.toAbsolutePath().normalize()).read(dtype);
    }

    /** Folder name and dtype, e.g. {@code LFM2-VL-450M-ONNX:q4}: names the model in results and metrics. */
    public String modelId() {
        return dir.getFileName() + ":" + dtype;
    }

    public Path visionEncoder() {
        return graphs.get(OnnxGraph.VISION_ENCODER);
    }

    public Path embedTokens() {
        return graphs.get(OnnxGraph.EMBED_TOKENS);
    }

    public Path decoder() {
        return graphs.get(OnnxGraph.DECODER);
    }

    /** The separate projector graph of a split export; empty when the vision encoder includes it. */
    public Optional<Path> projector() {
        return Optional.ofNullable(graphs.get(OnnxGraph.PROJECTOR));
    }

    /** Reads one folder; holds the folder for error messages. */
    private record Reader(Path dir) {

        ModelFolder read(DtypeSelection dtype) {
            if (!Files.isDirectory(dir)) {
                throw error("not a directory");
            }
            Path configJson = required("config.json");
            Lfm2VlConfig config = Lfm2VlConfig.fromJson(json(configJson), configJson.toString());
            Path genJson = dir.resolve("generation_config.json");
            GenerationConfig gen = Files.isRegularFile(genJson)
                    ? GenerationConfig.fromJson(json(genJson), genJson.toString())
                    : GenerationConfig.DEFAULTS;
            JsonNode processorConfig = optionalJson("processor_config.json");
            JsonNode tokenizerConfig = tokenizerConfig();
            return new ModelFolder(dir, dtype, config, gen,
                    imageProcessorConfig(processorConfig), required("tokenizer.json"), tokenizerConfig,
                    chatTemplate(processorConfig, tokenizerConfig), graphs(dtype));
        }

        /**
         * Upstream splits image settings: preprocessor_config.json holds the image processor, older
         * processor_config.json files hold processor kwargs at top level, newer ones nest an
         * "image_processor" object. Later sources win, as the processor passes its kwargs on.
         */
        private JsonNode imageProcessorConfig(JsonNode processorConfig) {
            ObjectNode merged = JSON.createObjectNode();
            merged.setAll((ObjectNode) optionalJson("preprocessor_config.json"));
            processorConfig.fields().forEachRemaining(f -> {
                if (!f.getValue().isObject() && !List.of("processor_class", "chat_template").contains(f.getKey())) {
                    merged.set(f.getKey(), f.getValue());
                }
            });
            JsonNode nested = processorConfig.path("image_processor");
            if (nested.isObject()) {
                merged.setAll((ObjectNode) nested);
            }
            return merged;
        }

        /** tokenizer_config.json, with bos/eos/pad/unk filled in from special_tokens_map.json when it lacks them. */
        private JsonNode tokenizerConfig() {
            ObjectNode config = (ObjectNode) optionalJson("tokenizer_config.json");
            JsonNode map = optionalJson("special_tokens_map.json");
            for (String key : List.of("bos_token", "eos_token", "pad_token", "unk_token")) {
                if (!config.hasNonNull(key) && map.hasNonNull(key)) {
                    config.set(key, map.get(key));
                }
            }
            return config;
        }

        private String chatTemplate(JsonNode processorConfig, JsonNode tokenizerConfig) {
            Path jinja = dir.resolve("chat_template.jinja");
            if (Files.isRegularFile(jinja)) {
                return text(jinja);
            }
            String fromJson = templateIn(optionalJson("chat_template.json"));
            if (fromJson == null) {
                fromJson = templateIn(processorConfig);
            }
            if (fromJson == null) {
                fromJson = templateIn(tokenizerConfig);
            }
            if (fromJson == null) {
                throw error("no chat template: none of chat_template.jinja, chat_template.json, "
                        + "'chat_template' in processor_config.json or tokenizer_config.json");
            }
            return fromJson;
        }

        /** A "chat_template" key: a string, or a list of {name, template} of which "default" (else the first) is used. */
        private static String templateIn(JsonNode node) {
            JsonNode t = node.path("chat_template");
            if (t.isTextual()) {
                return t.asText();
            }
            if (t.isArray() && t.size() > 0) {
                for (JsonNode named : t) {
                    if ("default".equals(named.path("name").asText())) {
                        return named.path("template").asText();
                    }
                }
                return t.get(0).path("template").asText(null);
            }
            return null;
        }

        private Map<OnnxGraph, Path> graphs(DtypeSelection dtype) {
            Path onnx = dir.resolve("onnx");
            if (!Files.isDirectory(onnx)) {
                throw error("no onnx/ directory");
            }
            List<String> present = onnxFiles(onnx);
            Map<OnnxGraph, Path> graphs = new EnumMap<>(OnnxGraph.class);
            for (OnnxGraph graph : OnnxGraph.values()) {
                List<String> ofGraph = present.stream().filter(f -> isVariantOf(f, graph)).collect(Collectors.toList());
                if (graph == OnnxGraph.PROJECTOR && ofGraph.isEmpty()) {
                    continue;
                }
                OnnxDtype d = dtype.dtypeOf(graph);
                Optional<String> file = d.suffixes().stream()
                        .map(s -> graph.stem() + s + ".onnx")
                        .filter(present::contains)
                        .findFirst();
                if (file.isEmpty()) {
                    String wanted = d.suffixes().stream().map(s -> "onnx/" + graph.stem() + s + ".onnx")
                            .collect(Collectors.joining(" or "));
                    throw error(wanted + " not found (dtype " + d + "); present: "
                            + (ofGraph.isEmpty() ? "no " + graph.stem() + " graph" : String.join(", ", ofGraph)));
                }
                graphs.put(graph, onnx.resolve(file.get()));
            }
            return graphs;
        }

        private static boolean isVariantOf(String file, OnnxGraph graph) {
            String stem = file.substring(0, file.length() - ".onnx".length());
            return stem.equals(graph.stem()) || stem.startsWith(graph.stem() + "_");
        }

        private List<String> onnxFiles(Path onnx) {
            try (Stream<Path> files = Files.list(onnx)) {
                return files.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
                        .filter(n -> n.endsWith(".onnx")).sorted().collect(Collectors.toList());
            } catch (IOException e) {
                throw new UncheckedIOException("model folder " + dir + ": cannot list onnx/: " + e.getMessage(), e);
            }
        }

        private Path required(String name) {
            Path p = dir.resolve(name);
            if (!Files.isRegularFile(p)) {
                throw error(name + " not found");
            }
            return p;
        }

        private JsonNode optionalJson(String name) {
            Path p = dir.resolve(name);
            return Files.isRegularFile(p) ? json(p) : JSON.createObjectNode();
        }

        private JsonNode json(Path file) {
            JsonNode node;
            try {
                node = JSON.readTree(file.toFile());
            } catch (IOException e) {
                throw new IllegalArgumentException("model folder " + dir + ": " + dir.relativize(file)
                        + " is not valid JSON: " + e.getMessage(), e);
            }
            if (node == null || !node.isObject()) {
                throw error(dir.relativize(file) + " does not hold a JSON object");
            }
            return node;
        }

        private String text(Path file) {
            try {
                return Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("model folder " + dir + ": cannot read " + dir.relativize(file), e);
            }
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException("model folder " + dir + ": " + what);
        }
    }
}
