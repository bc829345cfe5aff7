package io.vlmstreams.schemas.serde;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link SchemaRegistryClient} over Confluent Schema Registry's REST API (java.net.http + Jackson).
 * Caches subject+schema to id and id to schema, since both never change once assigned; latest
 * versions, version lists and compatibility levels are always fetched. Failures are mapped on the
 * HTTP status; the {@code error_code} is kept but not relied on.
 */
public final class HttpSchemaRegistryClient implements SchemaRegistryClient {

    /** Confluent's content type for requests and responses. */
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final String ACCEPT = CONTENT_TYPE
            + ", application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5";
    private static final int MAX_ERROR_BODY = 500;

    private static final Logger log = LoggerFactory.getLogger(HttpSchemaRegistryClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RegistryClientConfig config;
    private final HttpClient http;
    private final ConcurrentMap<SubjectSchema, Integer> idsBySubjectSchema = new ConcurrentHashMap<>();
    private final ConcurrentMap<Integer, Schema> schemasById = new ConcurrentHashMap<>();

    private record SubjectSchema(String subject, Schema schema) {
    }

    public HttpSchemaRegistryClient(RegistryClientConfig config) {
        this(config, java.util.Optional.empty());
    }

    /** A client whose https connections use {@code tls} (a custom trust store, client certificates) when given. */
    public HttpSchemaRegistryClient(RegistryClientConfig config, java.util.Optional<javax.net.ssl.SSLContext> tls) {
        this.config = config;
        HttpClient.Builder builder = HttpClient.newBuilder()
                .connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER);
        tls.ifPresent(builder::sslContext);
        this.http = builder.build();
    }

    @Override
    public int register(String subject, Schema schema) {
        return cachedId(subject, schema, "/subjects/" + encode(subject) + "/versions");
    }

    @Override
    public int getId(String subject, Schema schema) {
        // A lookup (POST /subjects/{s}) never registers; its answer is as permanent as a registration's.
        return cachedId(subject, schema, "/subjects/" + encode(subject));
    }

    @Override
    public Schema getById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        JsonNode body = call("GET", "/schemas/ids/" + id, null);
        requireAvro(body);
        return remember(id, AvroSchemas.parse(requiredText(body, "schema")));
    }

    @Override
    public RegisteredSchema getLatest(String subject) {
        return subjectVersion(subject, "latest");
    }

    @Override
    public RegisteredSchema getVersion(String subject, int version) {
        return subjectVersion(subject, Integer.toString(version));
    }

    @Override
    public List<Integer> getVersions(String subject) {
        List<Integer> versions = new ArrayList<>();
        call("GET", "/subjects/" + encode(subject) + "/versions", null).forEach(v -> versions.add(v.asInt()));
        return versions;
    }

    @Override
    public List<String> getSubjects() {
        List<String> subjects = new ArrayList<>();
        call("GET", "/subjects", null).forEach(s -> subjects.add(s.asText()));
        return subjects;
    }

    @Override
    public CompatibilityLevel getCompatibility(String subject) {
        JsonNode body;
        try {
            body = call("GET", "/config/" + encode(subject) + "?defaultToGlobal=true", null);
        } catch (SchemaNotFoundException e) {
            // Registries that ignore defaultToGlobal answer 404 (40408) for subjects without their own level.
            body = call("GET", "/config", null);
        }
        return CompatibilityLevel.parse(requiredText(body, "compatibilityLevel"));
    }

    @Override
    public void setCompatibility(String subject, CompatibilityLevel level) {
        call("PUT", "/config/" + encode(subject), JSON.createObjectNode().put("compatibility", level.name()).toString());
    }

    @Override
    public String toString() {
        return "HttpSchemaRegistryClient[urls=" + config.urls() + ", basicAuth=" + config.credentials().isPresent() + "]";
    }

    private RegisteredSchema subjectVersion(String subject, String version) {
        JsonNode body = call("GET", "/subjects/" + encode(subject) + "/versions/" + version, null);
        requireAvro(body);
        int id = requiredInt(body, "id");
        Schema cached = schemasById.get(id);
        Schema schema = cached != null ? cached : remember(id, AvroSchemas.parse(requiredText(body, "schema")));
        return new RegisteredSchema(body.path("subject").asText(subject), requiredInt(body, "version"), id, schema);
    }

    // The caches are filled after the call, not inside computeIfAbsent: no map lock is held during I/O.
    private int cachedId(String subject, Schema schema, String path) {
        SubjectSchema key = new SubjectSchema(subject, schema);
        Integer cached = idsBySubjectSchema.get(key);
        if (cached != null) {
            return cached;
        }
        int id = requiredInt(call("POST", path, schemaBody(schema)), "id");
        idsBySubjectSchema.putIfAbsent(key, id);
        remember(id, schema);
        return id;
    }

    private Schema remember(int id, Schema schema) {
        Schema previous = schemasById.putIfAbsent(id, schema);
        return previous != null ? previous : schema;
    }

    /**
     * Sends one request, trying the next URL when one cannot be reached, and returns the JSON body
     * of a 2xx answer.
     */
    private JsonNode call(String method, String pathAndQuery, String body) {
        IOException lastFailure = null;
        for (URI base : config.urls()) {
            URI uri = URI.create(stripTrailingSlash(base.toString()) + pathAndQuery);
            HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                    .timeout(config.requestTimeout())
                    .header("Accept", ACCEPT)
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
            if (body != null) {
                request.header("Content-Type", CONTENT_TYPE);
            }
            config.credentials().ifPresent(c -> request.header("Authorization", c.authorizationHeader()));
            HttpResponse<String> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (IOException e) {
                log.debug("Schema registry {} {} unreachable: {}", method, uri, e.toString());
                lastFailure = e;
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryException(SchemaRegistryException.NO_RESPONSE, 0,
                        "Interrupted while calling " + method + " " + uri, e);
            }
            log.debug("Schema registry {} {} -> {}", method, uri, response.statusCode());
            return parse(method, uri, response);
        }
        throw new SchemaRegistryException(SchemaRegistryException.NO_RESPONSE, 0,
                "Cannot reach schema registry at " + config.urls() + " (" + method + " " + pathAndQuery + "): " + lastFailure,
                lastFailure);
    }

    private static JsonNode parse(String method, URI uri, HttpResponse<String> response) {
        int status = response.statusCode();
        JsonNode json = null;
        try {
            json = response.body().isBlank() ? JSON.nullNode() : JSON.readTree(response.body());
        } catch (JsonProcessingException e) {
            if (status / 100 == 2) {
                throw new SchemaRegistryException(status, 0, "Unreadable answer to " + method + " " + uri + ": " + e.getOriginalMessage(), e);
            }
        }
        if (status / 100 == 2) {
            return json;
        }
        int errorCode = json == null ? 0 : json.path("error_code").asInt(0);
        String message = json != null && json.hasNonNull("message") ? json.get("message").asText()
                : truncate(response.body().isBlank() ? "(no body)" : response.body());
        throw SchemaRegistryException.forStatus(status, errorCode, message + " [" + method + " " + uri.getPath() + "]");
    }

    private static String schemaBody(Schema schema) {
        return JSON.createObjectNode().put("schema", schema.toString()).toString();
    }

    private static void requireAvro(JsonNode body) {
        String type = body.path("schemaType").asText("AVRO");
        if (!"AVRO".equalsIgnoreCase(type)) {
            throw new InvalidSchemaException(0, "Expected an AVRO schema, the registry holds a " + type + " schema");
        }
    }

    private static int requiredInt(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || !node.canConvertToInt()) {
            throw new SchemaRegistryException(200, 0, "Registry answer lacks integer field '" + field + "'");
        }
        return node.asInt();
    }

    private static String requiredText(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || !node.isTextual()) {
            throw new SchemaRegistryException(200, 0, "Registry answer lacks text field '" + field + "'");
        }
        return node.asText();
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String stripTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static String truncate(String text) {
        return text.length() <= MAX_ERROR_BODY ? text : text.substring(0, MAX_ERROR_BODY) + "...";
    }

    /** Creates a client from Confluent-style configs; see {@link RegistryClientConfig#from(Map)}. */
    public static HttpSchemaRegistryClient fromConfigs(Map<String, ?> configs) {
        return new HttpSchemaRegistryClient(RegistryClientConfig.from(configs), RegistryTls.from(configs));
    }
}
