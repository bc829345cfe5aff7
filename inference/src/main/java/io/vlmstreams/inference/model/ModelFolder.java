package io.vlmstreams.inference.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * An LFM2-VL model folder as published (onnx-community, LiquidAI LFM2.5-VL) or written by this
 * project's converter, resolved for one {@link DtypeSelection}: the configs, tokenizer files, chat
 * template, the {@code onnx/} graph chosen for each graph ({@link GraphSelection}: stem aliases,
 * per-graph precision fallback) and what those graphs declare ({@link GraphInfo},
 * {@link GraphTraits}). Everything is read and checked once in {@link #open}; a wrong or partial
 * folder is a {@link ModelFolderException} with one short message naming what is missing.
 *
 * <p>Two layouts are accepted: vision encoder, embed_tokens and decoder (the vision encoder includes
 * the projector), and the split layout that also ships {@code projector}, whose vision encoder then
 * outputs features before the projector. The JSON nodes are shared, treat them as read-only.
 */
public record ModelFolder(
        Path dir,
        Lfm2VlConfig config,
        GenerationConfig generationConfig,
        JsonNode imageProcessorConfig,
        Path tokenizerJson,
        JsonNode tokenizerConfig,
        String chatTemplate,
        GraphSelection selection,
        Map<OnnxGraph, GraphInfo> graphInfo,
        GraphTraits traits) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(ModelFolder.class);

    public ModelFolder {
        Map<OnnxGraph, GraphInfo> copy = new EnumMap<>(OnnxGraph.class);
        copy.putAll(graphInfo);
        graphInfo = Collections.unmodifiableMap(copy);
    }

    /**
     * Opens {@code dir} with a dtype setting such as {@code q4} or {@code vision_encoder=fp16,decoder_model_merged=q4};
     * blank or {@code auto} takes the folder's {@code transformers.js_config.dtype}, else fp32.
     */
    public static ModelFolder open(Path dir, String dtype) {
        return new Reader(dir.toAbsolutePath().normalize()).read(DtypeSelection.isAuto(dtype) ? null : parse(dtype));
    }

    /** Opens {@code dir}, resolving every graph file for {@code dtype} (null: the folder's own default, as for {@code auto}). */
    public static ModelFolder open(Path dir, DtypeSelection dtype) {
        return new Reader(dir.toAbsolutePath().normalize()).read(dtype);
    }

    private static DtypeSelection parse(String dtype) {
        try {
            return DtypeSelection.parse(dtype);
        } catch (ModelFolderException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new ModelFolderException(e.getMessage(), e);
        }
    }

    /** The dtype the folder was opened with (asked for, or the folder's own default). */
    public DtypeSelection dtype() {
        return selection.dtype();
    }

    /** The chosen file of each graph. */
    public Map<OnnxGraph, Path> graphs() {
        return selection.paths();
    }

    /** The precision of each chosen graph file (a graph may stand in from another precision, see {@link GraphChoice}). */
    public Map<OnnxGraph, OnnxDtype> graphDtypes() {
        Map<OnnxGraph, OnnxDtype> out = new java.util.EnumMap<>(OnnxGraph.class);
        selection.chosen().forEach((graph, choice) -> out.put(graph, choice.chosen().dtype()));
        return out;
    }

    /** Folder name and dtype, e.g. {@code LFM2-VL-450M-ONNX:q4}: names the model in results and metrics. */
    public String modelId() {
        return dir.getFileName() + ":" + dtype();
    }

    public Path visionEncoder() {
        return graphs().get(OnnxGraph.VISION_ENCODER);
    }

    public Path embedTokens() {
        return graphs().get(OnnxGraph.EMBED_TOKENS);
    }

    public Path decoder() {
        return graphs().get(OnnxGraph.DECODER);
    }

    /** The separate projector graph of a split export; empty when the vision encoder includes it. */
    public Optional<Path> projector() {
        return Optional.ofNullable(graphs().get(OnnxGraph.PROJECTOR));
    }

    /** Reads one folder; holds the folder for error messages. */
    private record Reader(Path dir) {

        /** {@code asked} null: the folder's own default dtype. */
        ModelFolder read(DtypeSelection asked) {
            if (!Files.exists(dir)) {
                throw error("no such directory");
            }
            if (!Files.isDirectory(dir)) {
                throw error("not a directory");
            }
            rejectCheckpoint();
            try {
                Path configJson = required("config.json");
                JsonNode configRoot = json(configJson);
                Lfm2VlConfig config = Lfm2VlConfig.fromJson(configRoot, configJson.toString());
                Path genJson = dir.resolve("generation_config.json");
                GenerationConfig gen = Files.isRegularFile(genJson)
                        ? GenerationConfig.fromJson(json(genJson), genJson.toString())
                        : GenerationConfig.DEFAULTS;
                JsonNode processorConfig = optionalJson("processor_config.json");
                JsonNode tokenizerConfig = tokenizerConfig();
                Path tokenizerJson = required("tokenizer.json");
                String chatTemplate = chatTemplate(processorConfig, tokenizerConfig);
                GraphSelection selection = selection(asked, configRoot);
                Map<OnnxGraph, GraphInfo> infos = graphInfo(selection);
                GraphTraits traits = GraphTraits.of(infos);
                LOG.info("model folder {}: {}", dir, selection.summary());
                return new ModelFolder(dir, config, gen, imageProcessorConfig(processorConfig), tokenizerJson,
                        tokenizerConfig, chatTemplate, selection, infos, traits);
            } catch (ModelFolderException e) {
                throw e;
            } catch (IllegalArgumentException e) {
                // Config errors already name the file and key; they are the folder's fault, so typed as such.
                throw new ModelFolderException(e.getMessage(), e);
            }
        }

        /** An upstream checkpoint (config.json and safetensors, no onnx/) is a common first try: say how to convert it. */
        private void rejectCheckpoint() {
            if (Files.isDirectory(dir.resolve("onnx"))) {
                return;
            }
            List<String> safetensors;
            try (Stream<Path> files = Files.list(dir)) {
                safetensors = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".safetensors"))
                        .sorted().collect(Collectors.toList());
            } catch (IOException e) {
                throw new UncheckedIOException("model folder " + dir + ": cannot list it: " + e.getMessage(), e);
            }
            if (!safetensors.isEmpty() && Files.isRegularFile(dir.resolve("config.json"))) {
                throw error("an upstream checkpoint (config.json, " + String.join(", ", safetensors)
                        + "), not an ONNX folder (no onnx/); convert it first: ./vlm-streams model convert --from "
                        + dir + " --out " + dir + "-onnx");
            }
        }

        private GraphSelection selection(DtypeSelection asked, JsonNode configRoot) {
            Path onnx = dir.resolve("onnx");
            if (!Files.isDirectory(onnx)) {
                throw error("no onnx/ directory");
            }
            OnnxFolderContents present = OnnxFolderContents.scan(onnx);
            if (asked != null) {
                return GraphSelection.resolve(present, asked, DtypeSource.ASKED);
            }
            JsonNode dtype = configRoot.path("transformers.js_config").path("dtype");
            if (dtype.isMissingNode() || dtype.isNull()) {
                return GraphSelection.resolve(present, DtypeSelection.of(OnnxDtype.FP32), DtypeSource.DEFAULT);
            }
            DtypeSelection own;
            try {
                own = DtypeSelection.fromJson(dtype);
            } catch (IllegalArgumentException e) {
                throw error("config.json: " + e.getMessage());
            }
            return GraphSelection.resolve(present, own, DtypeSource.FOLDER);
        }

        /** Reads each chosen graph's declarations; external data it names must lie beside it. */
        private Map<OnnxGraph, GraphInfo> graphInfo(GraphSelection selection) {
            Map<OnnxGraph, GraphInfo> infos = new EnumMap<>(OnnxGraph.class);
            selection.chosen().forEach((graph, choice) -> {
                GraphInfo info = GraphInfo.read(choice.chosen().file());
                List<String> missing = info.missingExternalData();
                if (!missing.isEmpty()) {
                    throw error("onnx/" + choice.chosen().fileName() + " keeps its weights in " + String.join(", ", missing)
                            + ", which is not in onnx/ (download it with the .onnx file)");
                }
                infos.put(graph, info);
            });
            return infos;
        }

        /**
         * Upstream splits image settings: preprocessor_config.json holds the image processor, older
         * processor_config.json files hold processor kwargs at top level, newer ones nest an
         * "image_processor" object. Later sources win, as the processor passes its kwargs on. A
         * source that says {@code patch_size} (and not {@code encoder_patch_size}) means the encoder's.
         */
        private JsonNode imageProcessorConfig(JsonNode processorConfig) {
            ObjectNode merged = JSON.createObjectNode();
            for (JsonNode source : List.of(optionalJson("preprocessor_config.json"), processorConfig)) {
                overlay(merged, source);
                JsonNode nested = source.path("image_processor");
                if (nested.isObject()) {
                    overlay(merged, nested);
                }
            }
            return merged;
        }

        private static void overlay(ObjectNode into, JsonNode source) {
            boolean renamedPatch = source.has("patch_size") && !source.has("encoder_patch_size");
            source.fields().forEachRemaining(f -> {
                if (f.getValue().isObject() || List.of("processor_class", "chat_template").contains(f.getKey())) {
                    return;
                }
                into.set(renamedPatch && f.getKey().equals("patch_size") ? "encoder_patch_size" : f.getKey(), f.getValue());
            });
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
                throw new ModelFolderException("model folder " + dir + ": " + dir.relativize(file)
                        + " is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""), e);
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

        private ModelFolderException error(String what) {
            return new ModelFolderException("model folder " + dir + ": " + what);
        }
    }
}
