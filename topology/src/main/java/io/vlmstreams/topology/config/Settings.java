package io.vlmstreams.topology.config;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.vlmstreams.inference.onnx.ExecutionProvider;
import io.vlmstreams.inference.onnx.RuntimeConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.NonEmptyString;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigDef.Validator;
import org.apache.kafka.common.config.ConfigDef.Width;

/**
 * Every vlm-streams setting, defined once on Kafka's {@link ConfigDef}: its name, type, default,
 * validation and documentation. The config records read their values from what these definitions
 * parse, the README's configuration reference is rendered from them ({@link SettingsDoc}), the
 * environment-variable table is built from them ({@link EnvironmentVariables}) and the command line
 * takes its engine defaults from them ({@link ModelConfig#defaults}).
 *
 * <p>{@link #APP} holds the application-level keys (one {@link ConfigDef} per README section, joined);
 * {@link #PIPELINE} holds the per-pipeline keys as suffixes, applied to each {@code pipeline.<name>.}
 * prefix by {@link #pipeline(String, Map)}.
 */
public final class Settings {

    /** README sections, in order; each is a {@link ConfigDef} group. */
    static final String APPLICATION_GROUP = "Application";
    static final String MODEL_GROUP = "Model and engine";
    static final String BATCH_GROUP = "Batching";
    static final String PIPELINE_GROUP = "Pipelines";
    static final String POLICY_GROUP = "Policies";
    static final String FETCH_GROUP = "Fetching images by reference";
    static final String ADMIN_GROUP = "Model swap and admin endpoint";

    /**
     * How a default reads in the reference where the value itself would mislead (computed, or
     * machine-specific), by group and key: a batching key is both an application and a pipeline key.
     */
    private static final Map<String, String> DEFAULT_TEXT = new HashMap<>();

    // ---- application ----
    public static final String APPLICATION_ID = "application.id";
    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String STATE_DIR = "state.dir";
    public static final String PIPELINES = "pipelines";
    public static final String DEAD_LETTER_TOPIC = "dead.letter.topic";
    public static final String DEAD_LETTER_MAX_VALUE_BYTES = "dead.letter.max.value.bytes";
    public static final String METRICS_PORT = "metrics.port";
    public static final String METRICS_LATENCY_SLO_MS = "metrics.latency.slo.ms";
    public static final String SHUTDOWN_TIMEOUT_MS = "shutdown.timeout.ms";
    public static final String STORE_CHANGELOG_MAX_MESSAGE_BYTES = "store.changelog.max.message.bytes";
    public static final String UI_ENABLED = "ui.enabled";
    public static final String UI_BIND_ADDRESS = "ui.bind.address";
    public static final String UI_SHOW_REFERENCED_IMAGES = "ui.show.referenced.images";
    public static final String UI_MAX_ENTRIES = "ui.max.entries";
    public static final String UI_MAX_IMAGE_BYTES = "ui.max.image.bytes";
    public static final String STARTUP_CHECK_TIMEOUT_MS = "startup.check.timeout.ms";
    public static final String HEALTH_CHECK_INTERVAL_MS = "health.check.interval.ms";

    // ---- model and engine ----
    public static final String MODEL_DIR = "model.dir";
    public static final String MODEL_DTYPE = "model.dtype";
    public static final String ENGINE_PROVIDER = "engine.provider";
    public static final String ENGINE_DEVICE_ID = "engine.device.id";
    public static final String ENGINE_INTRA_OP_THREADS = "engine.intra.op.threads";
    public static final String ENGINE_INTER_OP_THREADS = "engine.inter.op.threads";
    public static final String ENGINE_MAX_BATCH_SIZE = "engine.max.batch.size";
    public static final String ENGINE_MAX_BATCH_MEMORY_MB = "engine.max.batch.memory.mb";
    public static final String ENGINE_SPIN_WAIT = "engine.spin.wait";
    public static final String ENGINE_CPU_ARENA = "engine.cpu.arena";
    public static final String ENGINE_MEMORY_PATTERN = "engine.memory.pattern";
    public static final String ENGINE_CACHE_DIR = "engine.cache.dir";
    public static final String ENGINE_IMAGE_CACHE_BYTES = "engine.image.cache.bytes";

    // ---- batching (application level; each is also a pipeline suffix) ----
    public static final String BATCH_MAX_SIZE = "batch.max.size";
    public static final String BATCH_MAX_IMAGE_TOKENS = "batch.max.image.tokens";
    public static final String BATCH_LINGER_MS = "batch.linger.ms";
    public static final String BATCH_REFERENCE_IMAGE_TOKENS = "batch.reference.image.tokens";

    // ---- fetching ----
    public static final String FETCH_ALLOWED_SCHEMES = "fetch.allowed.schemes";
    public static final String FETCH_ALLOWED_HOSTS = "fetch.allowed.hosts";
    public static final String FETCH_ALLOW_PRIVATE_ADDRESSES = "fetch.allow.private.addresses";
    public static final String FETCH_MAX_BYTES = "fetch.max.bytes";
    public static final String FETCH_CONNECT_TIMEOUT_MS = "fetch.connect.timeout.ms";
    public static final String FETCH_TIMEOUT_MS = "fetch.timeout.ms";
    public static final String FETCH_MAX_REDIRECTS = "fetch.max.redirects";

    // ---- model swap and admin endpoint ----
    public static final String ADMIN_ENABLED = "admin.enabled";
    public static final String ADMIN_BIND_ADDRESS = "admin.bind.address";
    public static final String ADMIN_TOKEN = "admin.token";
    public static final String ADMIN_MODEL_ROOTS = "admin.model.roots";
    public static final String MODEL_DIR_FILE = "model.dir.file";
    public static final String MODEL_DIR_FILE_POLL_MS = "model.dir.file.poll.ms";

    // ---- pipeline suffixes, after pipeline.<name>. ----
    public static final String PIPELINE_PREFIX = "pipeline.";
    public static final String INPUT_TOPICS = "input.topics";
    public static final String OUTPUT_TOPIC = "output.topic";
    public static final String MODE = "mode";
    public static final String PROMPT = "prompt";
    public static final String LABELS = "labels";
    public static final String MAX_NEW_TOKENS = "max.new.tokens";
    public static final String TEMPERATURE = "temperature";
    public static final String TOP_K = "top.k";
    public static final String TOP_P = "top.p";
    public static final String MIN_P = "min.p";
    public static final String REPETITION_PENALTY = "repetition.penalty";
    public static final String MIN_IMAGE_TOKENS = "min.image.tokens";
    public static final String MAX_IMAGE_TOKENS = "max.image.tokens";
    public static final String MAX_PROMPT_CHARS = "max.prompt.chars";
    public static final String MAX_EVENT_AGE_MS = "max.event.age.ms";
    public static final String LATEST_PER_SOURCE = "latest.per.source";
    public static final String SOURCE_ROUND_ROBIN = "source.round.robin";
    public static final String SOURCE_PROMPTS_TOPIC = "source.prompts.topic";
    public static final String RESPONSE_JSON_SCHEMA = "response.json.schema";
    public static final String RESPONSE_REGEX = "response.regex";

    // ---- policy suffixes, after pipeline.<name>.policy.<policy>. ----
    public static final String POLICY_INFIX = "policy.";
    public static final String POLICY_QUESTION = "question";
    public static final String POLICY_THRESHOLD = "threshold";

    private static final int MAX_MILLIS = 600_000;

    static final ConfigDef APPLICATION = new ConfigDef();
    static {
        define(APPLICATION, APPLICATION_GROUP, APPLICATION_ID, Type.STRING, "vlm-streams", null, new NonEmptyString(),
                "Kafka Streams application id: consumer group, transactional id prefix and internal topic prefix. "
                        + "Instances with the same id share the work.");
        define(APPLICATION, APPLICATION_GROUP, BOOTSTRAP_SERVERS, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, null,
                new NonEmptyString(), "Kafka brokers.");
        define(APPLICATION, APPLICATION_GROUP, SCHEMA_REGISTRY_URL, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, null,
                Validators.registryUrls(), "Confluent-compatible schema registry (`http(s)://...`; `mock://scope` for tests).");
        define(APPLICATION, APPLICATION_GROUP, STATE_DIR, Type.STRING, System.getProperty("java.io.tmpdir") + "/vlm-streams",
                "`<tmp>/vlm-streams`", new NonEmptyString(),
                "Kafka Streams state directory (the pending-request stores). Give it a persistent volume.");
        define(APPLICATION, APPLICATION_GROUP, PIPELINES, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, null,
                Validators.pipelineNames(),
                "Comma-separated pipeline names (letters, digits, `_`, `-`; case matters); each has the "
                        + "`pipeline.<name>.*` keys below.");
        define(APPLICATION, APPLICATION_GROUP, DEAD_LETTER_TOPIC, Type.STRING, null, "`<application.id>.dead-letters`",
                null, "Where records that cannot be answered go, with a reason.");
        define(APPLICATION, APPLICATION_GROUP, DEAD_LETTER_MAX_VALUE_BYTES, Type.INT, 64 * 1024, null,
                Range.between(0, 64 << 20), "The original record value is kept in the dead letter up to this size.");
        define(APPLICATION, APPLICATION_GROUP, METRICS_PORT, Type.INT, 9404, null, Range.between(0, 65_535),
                "Port of `/metrics`, `/health/live`, `/health/ready` (0: a free port).");
        define(APPLICATION, APPLICATION_GROUP, METRICS_LATENCY_SLO_MS, Type.LIST, "50,100,250,500,1000,2500,5000,10000,30000",
                null, Validators.increasingPositiveLongs(),
                "Bucket bounds (ms) of the latency histograms `vlm_stage_latency_seconds` and `vlm_batch_duration_seconds`: "
                        + "the thresholds an SLO or alert compares against (`le` labels); a few, not a percentile ladder.");
        define(APPLICATION, APPLICATION_GROUP, SHUTDOWN_TIMEOUT_MS, Type.LONG, 30_000L, null, Range.between(1, MAX_MILLIS),
                "How long a stop waits for Streams to finish its current batch and commit.");
        define(APPLICATION, APPLICATION_GROUP, STARTUP_CHECK_TIMEOUT_MS, Type.LONG, 10_000L, null, Range.between(1, MAX_MILLIS),
                "How long the start-up check (brokers answer, topics exist, registry answers) waits before it "
                        + "stops the start; the check runs before the model loads.");
        define(APPLICATION, APPLICATION_GROUP, HEALTH_CHECK_INTERVAL_MS, Type.LONG, 10_000L, null, Range.between(100, MAX_MILLIS),
                "How often a running instance checks that its topics exist and the registry answers; "
                        + "`/health/ready` answers 503 with the reason while one does not.");
        define(APPLICATION, APPLICATION_GROUP, STORE_CHANGELOG_MAX_MESSAGE_BYTES, Type.INT, 16 << 20, null,
                Range.between(1 << 20, Integer.MAX_VALUE),
                "`max.message.bytes` of the pending-request changelog topics (and the Streams producer's "
                        + "`max.request.size`): inline images travel through them.");
        define(APPLICATION, APPLICATION_GROUP, UI_ENABLED, Type.BOOLEAN, false, null, null,
                "Serves the live view (images beside their answers) at `/ui` on the metrics port; the sandbox always does.");
        define(APPLICATION, APPLICATION_GROUP, UI_BIND_ADDRESS, Type.STRING, "127.0.0.1", null, new NonEmptyString(),
                "The live view answers only connections that reach the metrics port on this address (`0.0.0.0`: any): "
                        + "it shows the images.");
        define(APPLICATION, APPLICATION_GROUP, UI_SHOW_REFERENCED_IMAGES, Type.BOOLEAN, false, null, null,
                "The live view shows images by reference through their URL (the browser fetches them); `false` shows "
                        + "only inline images.");
        define(APPLICATION, APPLICATION_GROUP, UI_MAX_ENTRIES, Type.INT, 200, null, Range.between(1, 100_000),
                "Answers and dead letters the live view keeps, newest first; older ones drop from the view only.");
        define(APPLICATION, APPLICATION_GROUP, UI_MAX_IMAGE_BYTES, Type.LONG, 64L << 20, null, Range.between(0L, 1L << 34),
                "Inline image bytes the live view keeps for thumbnails (oldest dropped first).");
    }

    static final ConfigDef MODEL = new ConfigDef();
    static {
        define(MODEL, MODEL_GROUP, MODEL_DIR, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, null, new NonEmptyString(),
                "ONNX model folder (onnx-community layout: `onnx/vision_encoder*.onnx`, `embed_tokens*`, "
                        + "`decoder_model_merged*`, tokenizer and configs).");
        define(MODEL, MODEL_GROUP, MODEL_DTYPE, Type.STRING, "auto", null, new NonEmptyString(),
                "Graph variant by file suffix: `fp32`, `fp16`, `q8`, `q4`, ...; `auto` takes the folder's `transformers.js_config.dtype`, else fp32 (a graph missing in that precision falls back to the nearest one, logged)");
        String[] providers = Arrays.stream(ExecutionProvider.values()).map(p -> p.name().toLowerCase(Locale.ROOT))
                .toArray(String[]::new);
        define(MODEL, MODEL_GROUP, ENGINE_PROVIDER, Type.STRING, ExecutionProvider.AUTO.name().toLowerCase(Locale.ROOT), null,
                ValidString.in(providers),
                "`auto` (CUDA when usable, else CPU), `cpu`, `cuda` or `tensorrt` (each falls back, logging why).");
        define(MODEL, MODEL_GROUP, ENGINE_DEVICE_ID, Type.INT, 0, null, Range.between(0, 64), "CUDA device ordinal.");
        define(MODEL, MODEL_GROUP, ENGINE_INTRA_OP_THREADS, Type.INT, Runtime.getRuntime().availableProcessors(),
                "cores the JVM sees", Range.between(0, 1024),
                "ONNX Runtime threads inside one operator (0: ORT's own choice, which may count the host's cores in "
                        + "a CPU-limited container).");
        define(MODEL, MODEL_GROUP, ENGINE_INTER_OP_THREADS, Type.INT, 1, null, Range.between(0, 1024),
                "ONNX Runtime threads across operators (0: ORT's own choice). The graphs are sequential chains: a "
                        + "second pool would only contend with the first.");
        define(MODEL, MODEL_GROUP, ENGINE_MAX_BATCH_SIZE, Type.INT, 8, null, Range.between(1, 4096),
                "Most sequences the model works on at once: a model batch and the running decode batch that batches "
                        + "from every pipeline and stream thread join between steps. Raise it on a GPU.");
        define(MODEL, MODEL_GROUP, ENGINE_MAX_BATCH_MEMORY_MB, Type.INT, 0, null, Range.between(0, 1 << 24),
                "Working-memory budget of one model batch in MB; a batch estimated above it is split before it runs "
                        + "(0: no budget).");
        define(MODEL, MODEL_GROUP, ENGINE_SPIN_WAIT, Type.BOOLEAN, true, null, null,
                "ONNX Runtime's idle threads spin between operators (its default); `false` makes them sleep "
                        + "(measured ~2x slower on 2 shared cores; see docs/performance.md).");
        define(MODEL, MODEL_GROUP, ENGINE_CPU_ARENA, Type.BOOLEAN, RuntimeConfig.DEFAULT_CPU_ARENA, null, null,
                "ONNX Runtime's CPU memory arena: faster allocation, but RSS keeps the largest batch's peak; off "
                        + "trades 3-4x slower vision encoding for RSS that falls after a peak.");
        define(MODEL, MODEL_GROUP, ENGINE_MEMORY_PATTERN, Type.BOOLEAN, RuntimeConfig.DEFAULT_MEMORY_PATTERN, null, null,
                "ONNX Runtime's memory pattern planning per input shape (it keeps an extra block per shape in the "
                        + "arena).");
        define(MODEL, MODEL_GROUP, ENGINE_CACHE_DIR, Type.STRING, "", "`$XDG_CACHE_HOME/vlm-streams`, else `~/.cache/vlm-streams`", null,
                "Where the batch self-check's verdict is kept, keyed by the graph files, ONNX Runtime build, provider "
                        + "and CPU, so a restart on the same model skips the check (seconds on a 450M model); `none` "
                        + "checks at every start. An unwritable folder is logged and skipped.");
        define(MODEL, MODEL_GROUP, ENGINE_IMAGE_CACHE_BYTES, Type.LONG, 256L << 20, null, Range.atLeast(0),
                "Bytes of vision-encoder features kept for images seen before, least recently used out (0: off). The key "
                        + "is the SHA-256 of the image bytes, the preprocessing settings and the model id: a repost skips "
                        + "decoding, preprocessing and the vision encoder and gets the same answer. Hits: "
                        + "`vlm_image_cache_hits_total`.");
    }

    static final ConfigDef BATCH = new ConfigDef();
    static {
        define(BATCH, BATCH_GROUP, BATCH_MAX_SIZE, Type.INT, 8, null, Range.between(1, 4096),
                "A batch runs when this many requests are pending.");
        define(BATCH, BATCH_GROUP, BATCH_MAX_IMAGE_TOKENS, Type.INT, 8192, null, Range.between(1, Integer.MAX_VALUE),
                "... or when their estimated image tokens reach this budget (8 requests of up to 1,024; a tiled photo "
                        + "is up to 2,816). Long and short prompts prefill apart and decode together, so this bounds "
                        + "the encoder's and the prefill's work per batch, not padding.");
        define(BATCH, BATCH_GROUP, BATCH_LINGER_MS, Type.LONG, 100L, null, Range.between(1, MAX_MILLIS),
                "... or when the oldest pending request has waited this long (wall clock).");
        define(BATCH, BATCH_GROUP, BATCH_REFERENCE_IMAGE_TOKENS, Type.INT, 256, null, Range.between(1, Integer.MAX_VALUE),
                "Image tokens assumed for an image by reference (its bytes are fetched only when its batch runs).");
    }

    static final ConfigDef FETCH = new ConfigDef();
    static {
        define(FETCH, FETCH_GROUP, FETCH_ALLOWED_SCHEMES, Type.LIST, List.of("http", "https"), null,
                Validators.listOf("http", "https"),
                "Only these schemes are fetched (http and https are the only ones possible).");
        define(FETCH, FETCH_GROUP, FETCH_ALLOWED_HOSTS, Type.LIST, List.of(), "(any public host)", null,
                "Allowlist: exact names or `*.example.com` patterns.");
        define(FETCH, FETCH_GROUP, FETCH_ALLOW_PRIVATE_ADDRESSES, Type.BOOLEAN, false, null, null,
                "`false` refuses loopback, private, link-local (incl. `169.254.169.254`) and multicast addresses, "
                        + "checked after DNS resolution.");
        define(FETCH, FETCH_GROUP, FETCH_MAX_BYTES, Type.LONG, 20L << 20, null, Range.between(1L, 1L << 31),
                "Largest image fetched.");
        define(FETCH, FETCH_GROUP, FETCH_CONNECT_TIMEOUT_MS, Type.LONG, 5_000L, null, Range.between(1, MAX_MILLIS),
                "Connect time limit.");
        define(FETCH, FETCH_GROUP, FETCH_TIMEOUT_MS, Type.LONG, 15_000L, null, Range.between(1, MAX_MILLIS),
                "Total time limit of one fetch.");
        define(FETCH, FETCH_GROUP, FETCH_MAX_REDIRECTS, Type.INT, 3, null, Range.between(0, 20),
                "Redirects followed, each target checked again.");
    }

    static final ConfigDef ADMIN = new ConfigDef();
    static {
        define(ADMIN, ADMIN_GROUP, ADMIN_ENABLED, Type.BOOLEAN, false, null, null,
                "Serve `GET`/`POST /admin/model` (swap the model without a restart) on `admin.bind.address`.");
        define(ADMIN, ADMIN_GROUP, ADMIN_BIND_ADDRESS, Type.STRING, "127.0.0.1:9405", null, new NonEmptyString(),
                "`host:port` of the admin endpoint, apart from `metrics.port` (port 0: a free port); loopback unless "
                        + "you mean to expose it.");
        define(ADMIN, ADMIN_GROUP, ADMIN_TOKEN, Type.STRING, null, "(none)", null,
                "When set, admin requests must carry `Authorization: Bearer <token>` (compared in constant time).");
        define(ADMIN, ADMIN_GROUP, ADMIN_MODEL_ROOTS, Type.LIST, List.of(), "the folder holding `model.dir`", null,
                "Folders a swap may load from (by the endpoint or `model.dir.file`); any other folder is refused.");
        define(ADMIN, ADMIN_GROUP, MODEL_DIR_FILE, Type.STRING, null, "(none)", null,
                "A file naming the model folder to serve (one line; write it elsewhere, then rename it into place): "
                        + "read at start (it wins over `model.dir`) and whenever its content changes, which swaps the model.");
        define(ADMIN, ADMIN_GROUP, MODEL_DIR_FILE_POLL_MS, Type.LONG, 1_000L, null, Range.between(10, MAX_MILLIS),
                "How often `model.dir.file` is read for a change.");
    }

    /** Every application-level key (not the per-pipeline ones). */
    static final ConfigDef APP = join(APPLICATION, MODEL, BATCH, FETCH, ADMIN);

    /** The per-pipeline keys, as suffixes of {@code pipeline.<name>.}. */
    static final ConfigDef PIPELINE = new ConfigDef();
    static {
        define(PIPELINE, PIPELINE_GROUP, INPUT_TOPICS, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, null, Validators.nonEmptyList(),
                "Comma-separated input topics of `ImageEvent`s; a topic belongs to one pipeline.");
        define(PIPELINE, PIPELINE_GROUP, OUTPUT_TOPIC, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, null, new NonEmptyString(),
                "Topic of `Answer`s.");
        define(PIPELINE, PIPELINE_GROUP, MODE, Type.STRING, "generate", null, ValidString.in("generate", "classify", "moderate"),
                "`generate` (free text), `classify` (score `labels`) or `moderate` (score every "
                        + "`policy.<policy>.question` from one image pass; `prompt` is the text before each question).");
        define(PIPELINE, PIPELINE_GROUP, PROMPT, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, null, new NonEmptyString(),
                "The question asked about every image (an event's own `prompt` wins).");
        define(PIPELINE, PIPELINE_GROUP, LABELS, Type.LIST, List.of(), null, null,
                "Classify mode: at least two comma-separated labels.");
        define(PIPELINE, PIPELINE_GROUP, MAX_NEW_TOKENS, Type.INT, 64, null, Range.between(1, 32_768),
                "Most tokens generated per answer.");
        define(PIPELINE, PIPELINE_GROUP, TEMPERATURE, Type.DOUBLE, 0.0, null, Validators.decimal(0, true, 100, true),
                "Sampling temperature; 0 is greedy. Sampling is seeded from the event id, so a replay gives the same "
                        + "answer.");
        define(PIPELINE, PIPELINE_GROUP, TOP_K, Type.INT, 0, null, Range.between(0, 1_000_000),
                "Top-k sampling filter (0 disables it).");
        define(PIPELINE, PIPELINE_GROUP, TOP_P, Type.DOUBLE, 1.0, null, Validators.decimal(0, false, 1, true),
                "Nucleus sampling filter (1.0 disables it).");
        define(PIPELINE, PIPELINE_GROUP, MIN_P, Type.DOUBLE, 0.0, null, Validators.decimal(0, true, 1, false),
                "Min-p sampling filter (0.0 disables it).");
        define(PIPELINE, PIPELINE_GROUP, REPETITION_PENALTY, Type.DOUBLE, 1.0, null, Validators.decimal(0, false, 100, true),
                "transformers-style repetition penalty (1.0 disables it).");
        define(PIPELINE, PIPELINE_GROUP, MIN_IMAGE_TOKENS, Type.INT, null, "model's",
                Validators.nullOr(Range.between(1, 1 << 20)),
                "Least image tokens per tile (the model's preprocessing default when unset).");
        define(PIPELINE, PIPELINE_GROUP, MAX_IMAGE_TOKENS, Type.INT, null, "model's",
                Validators.nullOr(Range.between(1, 1 << 20)),
                "Most image tokens per tile (the model's preprocessing default when unset).");
        define(PIPELINE, PIPELINE_GROUP, MAX_PROMPT_CHARS, Type.INT, 4096, null, Range.between(1, 1 << 20),
                "Longest prompt an event may carry; a longer one is an invalid request (prompt tokens cost memory and "
                        + "time in every batch it joins).");
        // Camera feeds: all off by default, so a pipeline answers every frame in arrival order as before.
        define(PIPELINE, PIPELINE_GROUP, MAX_EVENT_AGE_MS, Type.LONG, 0L, "`0` (off)", Range.between(0, Long.MAX_VALUE),
                "A frame whose `event_time` is older than this (against the wall clock) when it would enter a batch "
                        + "is not run: it becomes a `STALE` dead letter. Checked on arrival, and when its batch starts against its age "
                        + "plus the longest of the last 8 batches plus `commit.interval.ms` and the producer's `linger.ms` (when its "
                        + "answer would be readable).");
        define(PIPELINE, PIPELINE_GROUP, LATEST_PER_SOURCE, Type.BOOLEAN, false, null, null,
                "At most one pending frame per `source_id`: a newer frame (by `event_time`) replaces the pending one, "
                        + "which becomes a `SUPERSEDED` dead letter in the same transaction. Events without "
                        + "`source_id` are never superseded.");
        define(PIPELINE, PIPELINE_GROUP, SOURCE_ROUND_ROBIN, Type.BOOLEAN, false, null, null,
                "Fill batches round-robin across `source_id`s (oldest-waiting source first) instead of in arrival "
                        + "order, so a flooding source does not crowd out the others; a source's answers keep their order.");
        define(PIPELINE, PIPELINE_GROUP, SOURCE_PROMPTS_TOPIC, Type.STRING, null, "(none)", null,
                "Compacted topic of per-source prompts, read as a global store: key `source_id` (UTF-8), value JSON "
                        + "`{\"prompt\": \"...\", \"max_new_tokens\": 32}` (either field optional; a tombstone "
                        + "removes it). Applies to frames taken in after the change; an event's own prompt and "
                        + "overrides still win.");
        define(PIPELINE, PIPELINE_GROUP, RESPONSE_JSON_SCHEMA, Type.STRING, null, null, null,
                "Generate mode: every answer is compact JSON valid under this JSON Schema (inline JSON, or the path of a "
                        + "file holding it). The subset: type, properties (in order), required, enum, const, string "
                        + "minLength/maxLength/pattern, integer and number bounds, boolean, null, array items with "
                        + "minItems/maxItems, anyOf, local $ref; any other keyword stops the pipeline at start, named.");
        define(PIPELINE, PIPELINE_GROUP, RESPONSE_REGEX, Type.STRING, null, null, null,
                "Generate mode: every answer matches this regular expression as a whole (not with `"
                        + RESPONSE_JSON_SCHEMA + "`).");
        // The batching keys again, per pipeline: same type and rule, and by default the application-level value.
        for (ConfigKey batch : BATCH.configKeys().values()) {
            define(PIPELINE, PIPELINE_GROUP, batch.name, batch.type, null, "`" + batch.name + "`",
                    Validators.nullOr(batch.validator), "This pipeline's `" + batch.name + "`.");
        }
    }

    /** The per-policy keys, as suffixes of {@code pipeline.<name>.policy.<policy>.}. */
    static final ConfigDef POLICY = new ConfigDef();
    static {
        define(POLICY, POLICY_GROUP, POLICY_QUESTION, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, null, new NonEmptyString(),
                "Moderate mode: a yes/no question about the image. Its score is P(yes) from the next-token distribution "
                        + "after it, normalised over the tokenizer's yes and no tokens; policy names are letters, digits, "
                        + "`_`, `-`.");
        define(POLICY, POLICY_GROUP, POLICY_THRESHOLD, Type.DOUBLE, 0.5, null, Validators.decimal(0, true, 1, true),
                "The score at or above which the answer flags this policy.");
    }

    /** The prefix of policy {@code policy}'s keys in pipeline {@code pipeline}. */
    public static String policyPrefix(String pipeline, String policy) {
        return pipelinePrefix(pipeline) + POLICY_INFIX + policy + ".";
    }

    /** {@link #POLICY} applied to one policy of one pipeline, so errors name the full key. */
    static ConfigDef policy(String pipeline, String policy) {
        ConfigDef def = new ConfigDef();
        for (ConfigKey k : POLICY.configKeys().values()) {
            def.define(new ConfigKey(policyPrefix(pipeline, policy) + k.name, k.type, k.defaultValue, k.validator, k.importance,
                    k.documentation, k.group, k.orderInGroup, k.width, k.displayName, k.dependents, k.recommender, false));
        }
        return def;
    }

    /**
     * Variables a {@code VLM_} name may have without being a setting: the launcher's and the logger's.
     * Name -> what reads it.
     */
    public static final Map<String, String> LAUNCHER_VARIABLES = launcherVariables();

    /** Kafka's own keys that vlm-streams also reads or defaults; they still reach every Kafka client. */
    static final Set<String> PASSED_TO_KAFKA = Set.of(APPLICATION_ID, BOOTSTRAP_SERVERS, STATE_DIR);

    private Settings() {
    }

    /** The prefix of pipeline {@code name}'s keys. */
    public static String pipelinePrefix(String name) {
        return PIPELINE_PREFIX + name + ".";
    }

    /**
     * {@link #PIPELINE} applied to pipeline {@code name}: every suffix under {@code pipeline.<name>.}, so
     * errors name the full key, with the batching keys defaulting to the application-level values in
     * {@code app} (parsed by {@link #APP}).
     */
    static ConfigDef pipeline(String name, Map<String, Object> app) {
        ConfigDef def = new ConfigDef();
        for (ConfigKey k : PIPELINE.configKeys().values()) {
            Object defaultValue = BATCH.names().contains(k.name) ? app.get(k.name) : k.defaultValue;
            def.define(new ConfigKey(pipelinePrefix(name) + k.name, k.type, defaultValue, k.validator, k.importance,
                    k.documentation, k.group, k.orderInGroup, k.width, k.displayName, k.dependents, k.recommender, false));
        }
        return def;
    }

    /** How the reference shows the default of {@code key}: the value, "(required)", or a description. */
    static String defaultText(ConfigKey key) {
        String text = DEFAULT_TEXT.get(key.group + "/" + key.name);
        if (text != null) {
            return text;
        }
        if (ConfigDef.NO_DEFAULT_VALUE.equals(key.defaultValue)) {
            return "(required)";
        }
        if (key.defaultValue == null || key.defaultValue instanceof List<?> l && l.isEmpty()) {
            return "";
        }
        return "`" + ConfigDef.convertToString(key.defaultValue, key.type) + "`";
    }

    private static void define(ConfigDef def, String group, String name, Type type, Object defaultValue,
                               String defaultText, Validator validator, String doc) {
        Importance importance = ConfigDef.NO_DEFAULT_VALUE.equals(defaultValue) ? Importance.HIGH : Importance.MEDIUM;
        def.define(name, type, defaultValue, validator, importance, doc, group, def.configKeys().size(), Width.MEDIUM, name);
        if (defaultText != null) {
            DEFAULT_TEXT.put(group + "/" + name, defaultText);
        }
    }

    private static ConfigDef join(ConfigDef... defs) {
        ConfigDef all = new ConfigDef();
        for (ConfigDef def : defs) {
            def.configKeys().values().forEach(all::define);
        }
        return all;
    }

    private static Map<String, String> launcherVariables() {
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("VLM_JAVA_OPTS", "JVM options of `./vlm-streams` (default `-XX:MaxRAMPercentage=60`).");
        vars.put("VLM_MVN_ARGS", "Extra Maven arguments when `./vlm-streams` builds itself (e.g. `-Pcpu`).");
        vars.put("VLM_LOG_LEVEL", "Log level of the `io.vlmstreams` loggers (default `INFO`; `DEBUG` adds a line per batch).");
        return java.util.Collections.unmodifiableMap(vars);
    }
}
