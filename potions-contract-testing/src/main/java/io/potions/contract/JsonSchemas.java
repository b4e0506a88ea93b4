package io.potions.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;
import io.swagger.v3.core.util.Json;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The OpenAPI 3.0 to JSON Schema glue: turns the description's schema objects into JSON Schema
 * 2020-12, validates with networknt's json-schema-validator, and words its errors.
 *
 * <p>The translation: {@code nullable} becomes a {@code "null"} type, boolean exclusive bounds
 * become numeric ones, patterns Java cannot compile (ECMA-only) are dropped. Where a value is used
 * (a body, a property, an array item), an object schema that declares property names and allows no
 * others gets a {@code propertyNames} list of every name it and its {@code allOf}/{@code anyOf}/{@code
 * oneOf} parts declare, so an unknown property is refused however the object is composed. {@code additionalProperties: false} is kept
 * (JSON Schema's rule, which also applies inside a composition part) only when {@link
 * OpenApiContract.Options#additionalPropertiesInCompositions()} says so; otherwise it is dropped and
 * the use-site closing takes its place.
 */
final class JsonSchemas {
  private static final String COMPONENTS = "https://contract.potions.invalid/components.json";
  private static final String LOCAL_REF = "#/components/schemas/";

  private final JsonNode schemas;
  private final OpenApiContract.Options options;
  private final SchemaRegistry registry;
  private final Map<Object, Schema> compiled = new ConcurrentHashMap<>();

  JsonSchemas(Map<String, ?> components, OpenApiContract.Options options) {
    this.options = options;
    this.schemas = Json.mapper().valueToTree(components == null ? Map.of() : components);
    ObjectNode translated = JsonNodeFactory.instance.objectNode();
    schemas.properties().forEach(e -> translated.set(e.getKey(), translate(e.getValue(), false)));
    ObjectNode document = JsonNodeFactory.instance.objectNode();
    document.set("$defs", withAbsoluteRefs(translated));
    this.registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12, b -> b
        .schemas(Map.of(COMPONENTS, document.toString()))
        .schemaRegistryConfig(SchemaRegistryConfig.builder()
            .pathType(PathType.LEGACY).formatAssertionsEnabled(true).build()));
  }

  /**
   * @param json the value's JSON text
   * @param schema the schema at its use site
   * @param direction request or response body, or {@code null} for a parameter value (the
   *     readOnly/writeOnly rules are about properties of bodies, not about identifiers in a path)
   * @param where how messages name the value, such as {@code body}
   * @return the problems, empty when it conforms
   */
  List<String> validate(String json, io.swagger.v3.oas.models.media.Schema<?> schema, Direction direction,
      String where) {
    if (schema == null) {
      return List.of();
    }
    Schema compiledSchema = compiled.computeIfAbsent(new Identity(schema), key -> {
      JsonNode useSite = translate(Json.mapper().valueToTree(schema), true);
      return registry.getSchema(withAbsoluteRefs(useSite).toString(), InputFormat.JSON);
    });
    List<Error> errors = compiledSchema.validate(json, InputFormat.JSON, context -> context.executionConfig(c -> c
        .formatAssertionsEnabled(true)
        .readOnly(direction == Direction.REQUEST)
        .writeOnly(direction == Direction.RESPONSE)));
    List<String> out = new ArrayList<>();
    for (Error e : errors) {
      String message = word(e, where, direction);
      if (!out.contains(message)) {
        out.add(message);
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- translation

  private JsonNode translate(JsonNode node, boolean useSite) {
    if (!(node instanceof ObjectNode in)) {
      return node;
    }
    ObjectNode out = in.deepCopy();
    if (out.path("nullable").asBoolean(false)) {
      if (out.get("type") != null && out.get("type").isTextual()) {
        ArrayNode types = JsonNodeFactory.instance.arrayNode().add(out.get("type").asText()).add("null");
        out.set("type", types);
      }
      if (out.get("enum") instanceof ArrayNode values) {
        values.addNull();
      }
    }
    out.remove("nullable");
    // Documentation only, and unknown to JSON Schema 2020-12 (the validator would warn about each).
    out.remove(List.of("example", "discriminator", "xml", "externalDocs", "deprecated"));
    out.properties().removeIf(e -> e.getKey().startsWith("x-"));
    bound(out, "minimum", "exclusiveMinimum");
    bound(out, "maximum", "exclusiveMaximum");
    if (out.has("pattern") && !compiles(out.get("pattern").asText())) {
      out.remove("pattern"); // an ECMA-only construct: not checked
    }
    if (out.get("properties") instanceof ObjectNode props) {
      props.properties().forEach(e -> e.setValue(translate(e.getValue(), true)));
    }
    if (out.has("items")) {
      out.set("items", translate(out.get("items"), true));
    }
    if (out.get("additionalProperties") instanceof ObjectNode extra) {
      out.set("additionalProperties", translate(extra, true));
    }
    for (String keyword : List.of("allOf", "anyOf", "oneOf")) {
      if (out.get(keyword) instanceof ArrayNode parts) {
        for (int i = 0; i < parts.size(); i++) {
          parts.set(i, translate(parts.get(i), false));
        }
      }
    }
    if (!options.additionalPropertiesInCompositions() && out.path("additionalProperties").isBoolean()
        && !out.get("additionalProperties").asBoolean()) {
      out.remove("additionalProperties"); // closed at its use sites instead, parts included
    }
    if (out.has("not")) {
      out.set("not", translate(out.get("not"), false));
    }
    if (useSite) {
      Set<String> names = closedNames(out);
      if (!names.isEmpty()) {
        ArrayNode allowed = out.putObject("propertyNames").putArray("enum");
        names.forEach(allowed::add);
      }
    }
    return out;
  }

  private static void bound(ObjectNode s, String limit, String exclusive) {
    JsonNode flag = s.get(exclusive);
    if (flag != null && flag.isBoolean()) {
      if (flag.asBoolean() && s.has(limit)) {
        s.set(exclusive, s.get(limit));
        s.remove(limit);
      } else {
        s.remove(exclusive);
      }
    }
  }

  /**
   * The only property names an object may carry: those its schema declares with all its parts, or
   * none (no restriction) when it declares none or allows others.
   */
  private Set<String> closedNames(JsonNode schema) {
    Set<String> names = new LinkedHashSet<>();
    boolean[] open = {false};
    collect(schema, names, open, 0);
    return open[0] ? Set.of() : names;
  }

  private void collect(JsonNode raw, Set<String> names, boolean[] open, int depth) {
    JsonNode s = deref(raw);
    if (s == null || depth > 16) {
      return;
    }
    s.path("properties").fieldNames().forEachRemaining(names::add);
    s.path("required").forEach(n -> names.add(n.asText()));
    JsonNode extra = s.get("additionalProperties");
    if (extra != null && (extra.isObject() || extra.asBoolean(false))) {
      open[0] = true;
    }
    for (String keyword : List.of("allOf", "anyOf", "oneOf")) {
      for (JsonNode part : s.path(keyword)) {
        collect(part, names, open, depth + 1);
      }
    }
  }

  private JsonNode deref(JsonNode schema) {
    JsonNode s = schema;
    for (int hops = 0; s != null && s.has("$ref") && hops < 32; hops++) {
      String ref = s.get("$ref").asText();
      s = ref.startsWith(LOCAL_REF) ? schemas.get(ref.substring(LOCAL_REF.length())) : null;
    }
    return s;
  }

  private static JsonNode withAbsoluteRefs(JsonNode node) {
    if (node instanceof ObjectNode o) {
      for (Map.Entry<String, JsonNode> e : o.properties()) {
        if (e.getKey().equals("$ref") && e.getValue().asText().startsWith(LOCAL_REF)) {
          e.setValue(JsonNodeFactory.instance.textNode(
              COMPONENTS + "#/$defs/" + e.getValue().asText().substring(LOCAL_REF.length())));
        } else {
          withAbsoluteRefs(e.getValue());
        }
      }
    } else if (node instanceof ArrayNode a) {
      a.forEach(JsonSchemas::withAbsoluteRefs);
    }
    return node;
  }

  private static boolean compiles(String regex) {
    try {
      Pattern.compile(regex);
      return true;
    } catch (PatternSyntaxException e) {
      return false;
    }
  }

  // ---------------------------------------------------------------- messages

  private static String word(Error e, String where, Direction direction) {
    String at = where + e.getInstanceLocation().toString().substring(1);
    String property = e.getProperty();
    Object[] args = e.getArguments() == null ? new Object[0] : e.getArguments();
    String keyword = e.getKeyword() == null ? "" : e.getKeyword();
    return switch (keyword) {
      case "required" -> at + ": required property '" + property + "' is missing";
      case "type" -> at + ": expected " + (args.length > 1 ? args[1] : "another type") + " but was "
          + (args.length > 0 ? args[0] : "") + " " + brief(String.valueOf(e.getInstanceNode()));
      case "enum" -> at + ": " + brief(String.valueOf(e.getInstanceNode())) + " is not one of "
          + enumValues(e);
      case "maximum", "exclusiveMaximum" -> at + ": " + e.getInstanceNode() + " is above the maximum "
          + (args.length > 0 ? args[0] : "");
      case "minimum", "exclusiveMinimum" -> at + ": " + e.getInstanceNode() + " is below the minimum "
          + (args.length > 0 ? args[0] : "");
      case "propertyNames", "additionalProperties" -> at + ": property '" + property
          + "' is not in the schema";
      case "readOnly" -> at + ": is readOnly and must not be sent in a request";
      case "writeOnly" -> at + ": is writeOnly and must not appear in a response";
      default -> at + ": " + e.getMessage().replaceFirst("^\\S+: ", "");
    };
  }

  private static String enumValues(Error e) {
    JsonNode values = e.getSchemaNode();
    List<String> out = new ArrayList<>();
    if (values != null && values.isArray()) {
      values.forEach(v -> out.add(v.isTextual() ? v.asText() : v.toString()));
      return out.toString();
    }
    return String.valueOf(values);
  }

  private static String brief(String text) {
    return text.length() > 60 ? text.substring(0, 57) + "..." : text;
  }

  /** A cache key that compares schema objects by identity (the model's equals is deep and slow). */
  private record Identity(Object schema) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Identity other && other.schema == schema;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(schema);
    }
  }
}
