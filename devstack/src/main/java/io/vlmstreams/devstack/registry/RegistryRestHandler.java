package io.vlmstreams.devstack.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vlmstreams.schemas.serde.AvroSchemas;
import io.vlmstreams.schemas.serde.CompatibilityLevel;
import io.vlmstreams.schemas.serde.InvalidSchemaException;
import io.vlmstreams.schemas.serde.MockSchemaRegistry;
import io.vlmstreams.schemas.serde.RegisteredSchema;
import io.vlmstreams.schemas.serde.SchemaNotFoundException;
import io.vlmstreams.schemas.serde.SchemaRegistryException;
import org.apache.avro.Schema;

/**
 * Confluent Schema Registry's REST API (the subset below) over a {@link MockSchemaRegistry}; errors
 * become Confluent's {@code {"error_code":..,"message":..}} bodies with the same statuses.
 *
 * <pre>
 * GET  /subjects                          POST /subjects/{s}/versions   (register)
 * POST /subjects/{s}            (lookup)  GET  /subjects/{s}/versions
 * GET  /subjects/{s}/versions/{v|latest}[/schema]                DELETE /subjects/{s}
 * GET  /schemas/ids/{id}[/schema|/versions|/subjects]            GET  /schemas/types
 * GET|PUT /config[/{s}]                   POST /compatibility/subjects/{s}/versions/{v|latest}
 * </pre>
 */
final class RegistryRestHandler {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final MockSchemaRegistry registry;

    RegistryRestHandler(MockSchemaRegistry registry) {
        this.registry = registry;
    }

    /** Answers one request; {@code segments} are the decoded path segments. */
    RegistryResponse handle(String method, List<String> segments, Map<String, String> query, String body) {
        try {
            return route(method, segments, query, body);
        } catch (SchemaRegistryException e) {
            return error(e.httpStatus(), e.errorCode(), e.registryMessage());
        } catch (JsonProcessingException e) {
            return error(400, 400, "Malformed JSON body: " + e.getOriginalMessage());
        }
    }

    private RegistryResponse route(String method, List<String> p, Map<String, String> query, String body)
            throws JsonProcessingException {
        int n = p.size();
        String root = n == 0 ? "" : p.get(0);
        switch (root) {
            case "" -> {
                return n == 0 && method.equals("GET") ? ok(JSON.createObjectNode()) : notFound();
            }
            case "subjects" -> {
                if (n == 1) {
                    return method.equals("GET") ? ok(JSON.valueToTree(registry.getSubjects())) : notAllowed();
                }
                String subject = p.get(1);
                if (n == 2) {
                    return switch (method) {
                        case "POST" -> ok(versionNode(registry.lookup(subject, schemaFrom(body))));
                        case "DELETE" -> ok(JSON.valueToTree(registry.deleteSubject(subject)));
                        default -> notAllowed();
                    };
                }
                if (!p.get(2).equals("versions")) {
                    return notFound();
                }
                if (n == 3) {
                    return switch (method) {
                        case "GET" -> ok(JSON.valueToTree(registry.getVersions(subject)));
                        case "POST" -> ok(JSON.createObjectNode().put("id", registry.register(subject, schemaFrom(body))));
                        default -> notAllowed();
                    };
                }
                if (n > 5 || (n == 5 && !p.get(4).equals("schema"))) {
                    return notFound();
                }
                if (!method.equals("GET")) {
                    return notAllowed();
                }
                RegisteredSchema version = version(subject, p.get(3));
                return n == 5 ? new RegistryResponse(200, version.schema().toString()) : ok(versionNode(version));
            }
            case "schemas" -> {
                if (n == 2 && p.get(1).equals("types")) {
                    return ok(JSON.createArrayNode().add("AVRO"));
                }
                if (n < 3 || n > 4 || !p.get(1).equals("ids")) {
                    return notFound();
                }
                if (!method.equals("GET")) {
                    return notAllowed();
                }
                int id = schemaId(p.get(2));
                Schema schema = registry.getById(id);
                if (n == 3) {
                    return ok(JSON.createObjectNode().put("schema", schema.toString()));
                }
                return switch (p.get(3)) {
                    case "schema" -> new RegistryResponse(200, schema.toString());
                    case "versions" -> ok(usages(id, true));
                    case "subjects" -> ok(usages(id, false));
                    default -> notFound();
                };
            }
            case "config" -> {
                if (n > 2) {
                    return notFound();
                }
                String subject = n == 2 ? p.get(1) : null;
                return switch (method) {
                    case "GET" -> ok(JSON.createObjectNode().put("compatibilityLevel", compatibility(subject, query).name()));
                    case "PUT" -> {
                        CompatibilityLevel level = CompatibilityLevel.parse(JSON.readTree(body).path("compatibility").asText(""));
                        if (subject == null) {
                            registry.setGlobalCompatibility(level);
                        } else {
                            registry.setCompatibility(subject, level);
                        }
                        yield ok(JSON.createObjectNode().put("compatibility", level.name()));
                    }
                    default -> notAllowed();
                };
            }
            case "compatibility" -> {
                if (n != 5 || !p.get(1).equals("subjects") || !p.get(3).equals("versions")) {
                    return notFound();
                }
                if (!method.equals("POST")) {
                    return notAllowed();
                }
                return ok(compatibilityCheck(p.get(2), p.get(4), schemaFrom(body)));
            }
            default -> {
                return notFound();
            }
        }
    }

    private CompatibilityLevel compatibility(String subject, Map<String, String> query) {
        if (subject == null) {
            return registry.getGlobalCompatibility();
        }
        return registry.getSubjectCompatibility(subject).orElseGet(() -> {
            if (Boolean.parseBoolean(query.get("defaultToGlobal"))) {
                return registry.getGlobalCompatibility();
            }
            throw new SchemaNotFoundException(SchemaRegistryException.SUBJECT_COMPATIBILITY_NOT_CONFIGURED,
                    "Subject '" + subject + "' does not have subject-level compatibility configured");
        });
    }

    private ObjectNode compatibilityCheck(String subject, String versionText, Schema candidate) {
        RegisteredSchema against = version(subject, versionText);
        List<Schema> previous = new ArrayList<>();
        for (int v = 1; v <= against.version(); v++) {
            previous.add(registry.getVersion(subject, v).schema());
        }
        List<String> violations = registry.getCompatibility(subject).violations(candidate, previous);
        ObjectNode node = JSON.createObjectNode().put("is_compatible", violations.isEmpty());
        if (!violations.isEmpty()) {
            node.set("messages", JSON.valueToTree(violations));
        }
        return node;
    }

    private RegisteredSchema version(String subject, String text) {
        if (text.equals("latest") || text.equals("-1")) {
            return registry.getLatest(subject);
        }
        int version;
        try {
            version = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            version = 0;
        }
        if (version < 1) {
            throw new InvalidSchemaException(SchemaRegistryException.INVALID_VERSION, "The specified version '" + text
                    + "' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"");
        }
        return registry.getVersion(subject, version);
    }

    private ArrayNode usages(int id, boolean withVersions) {
        ArrayNode array = JSON.createArrayNode();
        for (RegisteredSchema usage : registry.usagesOf(id)) {
            if (withVersions) {
                array.addObject().put("subject", usage.subject()).put("version", usage.version());
            } else {
                array.add(usage.subject());
            }
        }
        return array;
    }

    private static Schema schemaFrom(String body) throws JsonProcessingException {
        JsonNode request = JSON.readTree(body.isBlank() ? "{}" : body);
        String type = request.path("schemaType").asText("AVRO");
        if (!type.equalsIgnoreCase("AVRO")) {
            throw new InvalidSchemaException(SchemaRegistryException.INVALID_SCHEMA, "Only AVRO schemas are supported, got " + type);
        }
        if (request.path("references").size() > 0) {
            throw new InvalidSchemaException(SchemaRegistryException.INVALID_SCHEMA, "Schema references are not supported");
        }
        return AvroSchemas.parse(request.path("schema").isTextual() ? request.get("schema").asText() : null);
    }

    private static int schemaId(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new SchemaNotFoundException(SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema " + text + " not found");
        }
    }

    private static ObjectNode versionNode(RegisteredSchema version) {
        return JSON.createObjectNode()
                .put("subject", version.subject())
                .put("version", version.version())
                .put("id", version.id())
                .put("schema", version.schema().toString());
    }

    private static RegistryResponse ok(JsonNode body) {
        return new RegistryResponse(200, body.toString());
    }

    static RegistryResponse error(int status, int errorCode, String message) {
        return new RegistryResponse(status, JSON.createObjectNode().put("error_code", errorCode).put("message", message).toString());
    }

    private static RegistryResponse notFound() {
        return error(404, 404, "HTTP 404 Not Found");
    }

    private static RegistryResponse notAllowed() {
        return error(405, 405, "HTTP 405 Method Not Allowed");
    }
}
