package io.vlmstreams.convert;

import io.vlmstreams.inference.model.OnnxDtype;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Everything of a model folder besides the graphs: configs, tokenizer, chat template and image
 * processor settings, copied from an upstream checkpoint and completed so that both this
 * project's reader and transformers.js 4.3.1 find what they need:
 * <ul>
 *   <li>{@code chat_template.jinja} is always written, and {@code tokenizer_config.json} gets a
 *   {@code chat_template} key when it has none (transformers.js's LFM2-VL processor reads the
 *   template only from there);</li>
 *   <li>{@code preprocessor_config.json} (flat image-processor settings, the file transformers.js
 *   reads) is derived from {@code processor_config.json}'s {@code image_processor} when missing;</li>
 *   <li>{@code config.json} gets {@code transformers.js_config.use_external_data_format}, naming
 *   each graph that keeps its weights in an {@code .onnx_data} file (browsers cannot discover
 *   them otherwise), and {@code transformers.js_config.dtype}, the variant loaded by default
 *   (see {@link #describeGraphs}).</li>
 * </ul>
 */
public final class CompanionFiles {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path from;

    private CompanionFiles(Path from) {
        this.from = from;
    }

    /**
     * Checks that {@code from} holds every file a model folder needs, naming the first one missing.
     */
    public static CompanionFiles check(Path from) {
        if (!Files.isDirectory(from)) {
            throw new IllegalArgumentException(from + ": not a directory");
        }
        for (String name : new String[] {"config.json", "tokenizer.json", "tokenizer_config.json"}) {
            requireFile(from, name);
        }
        if (!Files.isRegularFile(from.resolve("model.safetensors"))
                && !Files.isRegularFile(from.resolve("model.safetensors.index.json"))) {
            throw new IllegalArgumentException(from + ": missing model.safetensors (or model.safetensors.index.json)");
        }
        if (!Files.isRegularFile(from.resolve("preprocessor_config.json"))
                && !Files.isRegularFile(from.resolve("processor_config.json"))) {
            throw new IllegalArgumentException(from + ": missing preprocessor_config.json (or processor_config.json)");
        }
        CompanionFiles files = new CompanionFiles(from);
        if (files.chatTemplate() == null) {
            throw new IllegalArgumentException(from + ": missing chat_template.jinja (and no chat_template in "
                    + "tokenizer_config.json, chat_template.json or processor_config.json)");
        }
        return files;
    }

    private static void requireFile(Path dir, String name) {
        if (!Files.isRegularFile(dir.resolve(name))) {
            throw new IllegalArgumentException(dir + ": missing " + name);
        }
    }

    /** Copies and completes every non-graph file into {@code out} (which may be {@code from}). */
    public void writeTo(Path out) {
        try {
            Files.createDirectories(out);
            for (String name : new String[] {"tokenizer.json", "generation_config.json", "special_tokens_map.json",
                    "processor_config.json", "preprocessor_config.json"}) {
                copyIfPresent(name, out);
            }
            String template = chatTemplate();
            Files.writeString(out.resolve("chat_template.jinja"), template, StandardCharsets.UTF_8);
            ObjectNode tokenizerConfig = (ObjectNode) read(from.resolve("tokenizer_config.json"));
            if (!tokenizerConfig.hasNonNull("chat_template")) {
                tokenizerConfig.put("chat_template", template);
            }
            write(out.resolve("tokenizer_config.json"), tokenizerConfig);
            if (!Files.isRegularFile(from.resolve("preprocessor_config.json"))) {
                write(out.resolve("preprocessor_config.json"), preprocessorFromProcessor());
            }
            // config.json last: it is rewritten again once the graphs are known (see describeGraphs)
            write(out.resolve("config.json"), read(from.resolve("config.json")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write model files to " + out + ": " + e.getMessage(), e);
        }
    }

    /**
     * Records in {@code folder/config.json}, from what is on disk under {@code folder/onnx} (so
     * repeated conversions into one folder add up), which graph files keep external data and
     * which variant transformers.js loads by default: {@code dtype} is {@code preferred} when
     * every graph has it, otherwise a map from graph to the variant it has, the first present of
     * {@code preferred}, then fp16 for the float16-interface {@code q4f16} or fp32 for any other,
     * then the other of the two (a LiquidAI folder's {@code embed_tokens} exists in fp32 and fp16
     * only).
     */
    public static void describeGraphs(Path folder, OnnxDtype preferred) {
        Path config = folder.resolve("config.json");
        try {
            ObjectNode root = (ObjectNode) read(config);
            JsonNode existing = root.get("transformers.js_config");
            ObjectNode js = existing instanceof ObjectNode o ? o : JSON.createObjectNode();
            Map<String, Integer> external = new TreeMap<>();
            Set<String> files = new TreeSet<>();
            Path onnx = folder.resolve("onnx");
            if (Files.isDirectory(onnx)) {
                try (DirectoryStream<Path> found = Files.newDirectoryStream(onnx, "*.onnx")) {
                    for (Path f : found) {
                        String name = f.getFileName().toString();
                        files.add(name);
                        if (Files.isRegularFile(onnx.resolve(OnnxModelFiles.dataFileName(name)))) {
                            external.put(name, 1);
                        }
                    }
                }
            }
            js.remove("use_external_data_format");
            if (!external.isEmpty()) {
                js.set("use_external_data_format", JSON.valueToTree(external));
            }
            js.set("dtype", defaultDtype(files, preferred));
            root.set("transformers.js_config", js);
            write(config, root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot update " + config + ": " + e.getMessage(), e);
        }
    }

    private static JsonNode defaultDtype(Set<String> files, OnnxDtype preferred) {
        Map<String, OnnxDtype> perGraph = new TreeMap<>();
        for (String stem : stems(files)) {
            List<OnnxDtype> order = new ArrayList<>(List.of(preferred,
                    preferred == OnnxDtype.Q4F16 ? OnnxDtype.FP16 : OnnxDtype.FP32, OnnxDtype.FP32, OnnxDtype.FP16));
            order.stream().filter(d -> d.suffixes().stream().anyMatch(s -> files.contains(stem + s + ".onnx")))
                    .findFirst().ifPresent(d -> perGraph.put(stem, d));
        }
        if (perGraph.values().stream().allMatch(d -> d == preferred)) {
            return JSON.getNodeFactory().textNode(preferred.label());
        }
        ObjectNode map = JSON.createObjectNode();
        perGraph.forEach((stem, d) -> map.put(stem, d.label()));
        return map;
    }

    /** Graph stems of {@code .onnx} file names: the name less {@code .onnx} and the longest dtype suffix it ends with. */
    private static Set<String> stems(Set<String> files) {
        Set<String> stems = new TreeSet<>();
        for (String file : files) {
            String base = file.substring(0, file.length() - ".onnx".length());
            String suffix = "";
            for (OnnxDtype d : OnnxDtype.values()) {
                for (String s : d.suffixes()) {
                    if (!s.isEmpty() && base.endsWith(s) && s.length() > suffix.length()) {
                        suffix = s;
                    }
                }
            }
            stems.add(base.substring(0, base.length() - suffix.length()));
        }
        return stems;
    }

    /** The chat template from the first place that has one, or null. */
    String chatTemplate() {
        try {
            Path jinja = from.resolve("chat_template.jinja");
            if (Files.isRegularFile(jinja)) {
                return Files.readString(jinja, StandardCharsets.UTF_8);
            }
            for (String name : new String[] {"tokenizer_config.json", "chat_template.json", "processor_config.json"}) {
                Path f = from.resolve(name);
                if (Files.isRegularFile(f)) {
                    JsonNode t = read(f).get("chat_template");
                    if (t != null && t.isTextual()) {
                        return t.asText();
                    }
                }
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read chat template in " + from + ": " + e.getMessage(), e);
        }
    }

    private ObjectNode preprocessorFromProcessor() throws IOException {
        Path processor = from.resolve("processor_config.json");
        JsonNode root = read(processor);
        JsonNode image = root.get("image_processor");
        if (image == null || !image.isObject()) {
            throw new IllegalArgumentException(processor + ": missing object 'image_processor' (and no preprocessor_config.json)");
        }
        ObjectNode flat = ((ObjectNode) image).deepCopy();
        if (!flat.has("image_processor_type")) {
            flat.put("image_processor_type", "Lfm2VlImageProcessor");
        }
        flat.put("processor_class", root.path("processor_class").asText("Lfm2VlProcessor"));
        return forTransformersJs(flat);
    }

    /**
     * LFM2-VL's image processor always does its own smart resize and tiling; {@code do_resize} and
     * {@code size} (512x512, the tile) are inert upstream, and LiquidAI's repos ship
     * {@code do_resize: false}. transformers.js's base class would instead squash every image to
     * {@code size} before its own tiling (every image: 256 tokens, never tiled), so the derived file
     * says {@code do_resize: false} and carries no {@code size}. Readers of this project take the
     * tile size from {@code tile_size}.
     */
    public static ObjectNode forTransformersJs(ObjectNode imageProcessor) {
        imageProcessor.put("do_resize", false);
        imageProcessor.remove("size");
        return imageProcessor;
    }

    private void copyIfPresent(String name, Path out) throws IOException {
        Path src = from.resolve(name);
        Path dst = out.resolve(name);
        if (Files.isRegularFile(src) && !isSameFile(src, dst)) {
            Files.copy(src, dst, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static boolean isSameFile(Path a, Path b) throws IOException {
        return Files.exists(b) && Files.isSameFile(a, b);
    }

    private static JsonNode read(Path file) throws IOException {
        return JSON.readTree(file.toFile());
    }

    private static void write(Path file, JsonNode node) throws IOException {
        Files.writeString(file, JSON.writeValueAsString(node) + "\n", StandardCharsets.UTF_8);
    }
}
