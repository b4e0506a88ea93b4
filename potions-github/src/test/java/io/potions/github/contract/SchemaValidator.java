package io.potions.github.contract;

import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.media.Schema;
import java.math.BigDecimal;
import java.net.URI;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Checks a JSON value against an OpenAPI 3.0 schema object, resolving {@code #/components/...}
 * references itself. Stricter than plain JSON Schema where a contract test needs it to be: an
 * object may only carry properties its schema (with all its {@code allOf}/{@code anyOf}/{@code
 * oneOf} parts) declares, unless the schema declares none or allows additional properties; a
 * request may not carry {@code readOnly} properties, nor a response {@code writeOnly} ones.
 */
public final class SchemaValidator {
  /** Which side of the exchange a value is on. */
  public enum Direction {
    /** a request body: readOnly properties are refused */
    REQUEST,
    /** a response body: writeOnly properties are refused */
    RESPONSE
  }

  private static final Pattern IPV4 = Pattern.compile(
      "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
  private static final Pattern UUID = Pattern.compile(
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private final OpenAPI api;
  private final Map<String, Pattern> patterns = new ConcurrentHashMap<>();

  /** @param api the description whose components references point into */
  public SchemaValidator(OpenAPI api) {
    this.api = api;
  }

  /**
   * @param value the JSON value
   * @param schema the schema it must conform to
   * @param direction request or response
   * @param where how to name the value in messages, such as {@code body}
   * @return the problems found, empty when it conforms
   */
  public List<String> validate(JsonNode value, Schema<?> schema, Direction direction, String where) {
    List<String> errors = new ArrayList<>();
    check(value, schema, where, errors, direction, true);
    return errors;
  }

  /**
   * Resolves a schema reference.
   *
   * @param schema a schema, possibly a {@code $ref}
   * @return the schema it stands for
   */
  public Schema<?> deref(Schema<?> schema) {
    Schema<?> s = schema;
    for (int hops = 0; s != null && s.get$ref() != null; hops++) {
      if (hops > 32) {
        throw new IllegalStateException("Reference cycle at " + schema.get$ref());
      }
      String ref = s.get$ref();
      String name = ref.substring(ref.lastIndexOf('/') + 1);
      Schema<?> target = api.getComponents().getSchemas().get(name);
      if (target == null) {
        throw new IllegalStateException("Unresolvable schema reference " + ref);
      }
      s = target;
    }
    return s;
  }

  private void check(JsonNode node, Schema<?> raw, String at, List<String> errors, Direction dir,
      boolean closedHere) {
    if (raw == null) {
      return;
    }
    Schema<?> s = deref(raw);
    String type = s.getType();
    if (node.isNull()) {
      if (Boolean.TRUE.equals(s.getNullable()) || type == null) {
        composition(node, s, at, errors, dir);
        return;
      }
      errors.add(at + ": null is not allowed (type " + type + ", not nullable)");
      return;
    }
    if (type != null && !hasType(node, type)) {
      errors.add(at + ": expected " + type + " but was " + kind(node) + " " + brief(node));
      return;
    }
    if (s.getEnum() != null && !s.getEnum().isEmpty() && !inEnum(node, s.getEnum())) {
      errors.add(at + ": " + brief(node) + " is not one of " + s.getEnum());
    }
    if (node.isTextual()) {
      string(node.asText(), s, at, errors);
    }
    if (node.isNumber()) {
      number(node.decimalValue(), s, at, errors);
    }
    if (node.isArray()) {
      if (s.getMinItems() != null && node.size() < s.getMinItems()) {
        errors.add(at + ": fewer than " + s.getMinItems() + " items");
      }
      if (s.getMaxItems() != null && node.size() > s.getMaxItems()) {
        errors.add(at + ": more than " + s.getMaxItems() + " items");
      }
      if (s.getItems() != null) {
        for (int i = 0; i < node.size(); i++) {
          check(node.get(i), s.getItems(), at + "[" + i + "]", errors, dir, true);
        }
      }
    }
    if (node.isObject()) {
      object(node, s, at, errors, dir, closedHere);
    }
    composition(node, s, at, errors, dir);
  }

  private void object(JsonNode node, Schema<?> s, String at, List<String> errors, Direction dir,
      boolean closedHere) {
    if (s.getRequired() != null) {
      for (String name : s.getRequired()) {
        if (!node.has(name)) {
          errors.add(at + ": required property '" + name + "' is missing");
        }
      }
    }
    if (s.getProperties() != null) {
      for (String name : s.getProperties().keySet()) {
        JsonNode value = node.get(name);
        if (value == null) {
          continue;
        }
        Schema<?> prop = deref(s.getProperties().get(name));
        if (dir == Direction.REQUEST && flag(prop, true)) {
          errors.add(at + "." + name + ": is readOnly and must not be sent in a request");
        }
        if (dir == Direction.RESPONSE && flag(prop, false)) {
          errors.add(at + "." + name + ": is writeOnly and must not appear in a response");
        }
        check(value, prop, at + "." + name, errors, dir, true);
      }
    }
    if (s.getAdditionalProperties() instanceof Schema<?> extra) {
      Set<String> declared = s.getProperties() == null ? Set.of() : s.getProperties().keySet();
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        String name = it.next();
        if (!declared.contains(name)) {
          check(node.get(name), extra, at + "." + name, errors, dir, true);
        }
      }
    }
    if (Boolean.FALSE.equals(s.getAdditionalProperties())) {
      // JSON Schema's own rule, applied even inside a composition (GitHub's "empty-object", a
      // oneOf branch beside simple-user, declares no properties and allows none).
      Set<String> declared = s.getProperties() == null ? Set.of() : s.getProperties().keySet();
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        String name = it.next();
        if (!declared.contains(name)) {
          errors.add(at + ": property '" + name + "' is not allowed (additionalProperties: false)");
        }
      }
    }
    if (closedHere) {
      Known known = new Known();
      collect(s, known, 0);
      if (!known.open && !known.names.isEmpty()) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
          String name = it.next();
          if (!known.names.contains(name)) {
            errors.add(at + ": property '" + name + "' is not in the schema (known: " + known.names + ")");
          }
        }
      }
    }
  }

  private void composition(JsonNode node, Schema<?> s, String at, List<String> errors, Direction dir) {
    if (s.getAllOf() != null) {
      for (Schema<?> part : s.getAllOf()) {
        check(node, part, at, errors, dir, false);
      }
    }
    if (s.getAnyOf() != null && !s.getAnyOf().isEmpty()) {
      List<String> why = new ArrayList<>();
      boolean any = false;
      for (Schema<?> part : s.getAnyOf()) {
        List<String> e = new ArrayList<>();
        check(node, part, at, e, dir, false);
        if (e.isEmpty()) {
          any = true;
          break;
        }
        why.add(String.join("; ", e));
      }
      if (!any) {
        errors.add(at + ": matches none of anyOf: " + why);
      }
    }
    if (s.getOneOf() != null && !s.getOneOf().isEmpty()) {
      List<String> why = new ArrayList<>();
      int matches = 0;
      for (Schema<?> part : s.getOneOf()) {
        List<String> e = new ArrayList<>();
        check(node, part, at, e, dir, false);
        if (e.isEmpty()) {
          matches++;
        } else {
          why.add(String.join("; ", e));
        }
      }
      if (matches == 0) {
        errors.add(at + ": matches none of oneOf: " + why);
      } else if (matches > 1) {
        errors.add(at + ": matches " + matches + " branches of oneOf, exactly one is allowed");
      }
    }
  }

  /** The property names an object may carry at one level, over all composition parts. */
  private static final class Known {
    final Set<String> names = new LinkedHashSet<>();
    boolean open;
  }

  private void collect(Schema<?> raw, Known known, int depth) {
    if (raw == null || depth > 16) {
      return;
    }
    Schema<?> s = deref(raw);
    if (s.getProperties() != null) {
      known.names.addAll(s.getProperties().keySet());
    }
    if (s.getRequired() != null) {
      known.names.addAll(s.getRequired());
    }
    Object extra = s.getAdditionalProperties();
    if (Boolean.TRUE.equals(extra) || extra instanceof Schema<?>) {
      known.open = true;
    }
    for (Schema<?> part : partsOf(s)) {
      collect(part, known, depth + 1);
    }
  }

  private static List<Schema<?>> partsOf(Schema<?> s) {
    List<Schema<?>> out = new ArrayList<>();
    if (s.getAllOf() != null) {
      for (Schema<?> part : s.getAllOf()) {
        out.add(part);
      }
    }
    if (s.getAnyOf() != null) {
      for (Schema<?> part : s.getAnyOf()) {
        out.add(part);
      }
    }
    if (s.getOneOf() != null) {
      for (Schema<?> part : s.getOneOf()) {
        out.add(part);
      }
    }
    return out;
  }

  /** Whether a property is readOnly (or writeOnly), directly or through an allOf part. */
  private boolean flag(Schema<?> s, boolean readOnly) {
    Boolean own = readOnly ? s.getReadOnly() : s.getWriteOnly();
    if (Boolean.TRUE.equals(own)) {
      return true;
    }
    if (s.getAllOf() != null) {
      for (Schema<?> part : s.getAllOf()) {
        Schema<?> p = deref(part);
        if (Boolean.TRUE.equals(readOnly ? p.getReadOnly() : p.getWriteOnly())) {
          return true;
        }
      }
    }
    return false;
  }

  private void string(String value, Schema<?> s, String at, List<String> errors) {
    int length = value.codePointCount(0, value.length());
    if (s.getMinLength() != null && length < s.getMinLength()) {
      errors.add(at + ": shorter than " + s.getMinLength());
    }
    if (s.getMaxLength() != null && length > s.getMaxLength()) {
      errors.add(at + ": longer than " + s.getMaxLength());
    }
    if (s.getPattern() != null) {
      Pattern p = patterns.computeIfAbsent(s.getPattern(), SchemaValidator::compile);
      if (p != null && !p.matcher(value).find()) {
        errors.add(at + ": '" + value + "' does not match pattern " + s.getPattern());
      }
    }
    String format = s.getFormat();
    if (format == null) {
      return;
    }
    boolean ok = switch (format) {
      case "date-time" -> parses(() -> OffsetDateTime.parse(value));
      case "ipv4" -> IPV4.matcher(value).matches();
      case "ipv6" -> value.contains(":") && value.matches("[0-9a-fA-F:.]+");
      case "uuid" -> UUID.matcher(value).matches();
      case "uri" -> parses(() -> URI.create(value).getScheme().length());
      default -> true;
    };
    if (!ok) {
      errors.add(at + ": '" + value + "' is not a valid " + format);
    }
  }

  private static void number(BigDecimal value, Schema<?> s, String at, List<String> errors) {
    if (s.getMinimum() != null) {
      int c = value.compareTo(s.getMinimum());
      if (c < 0 || (c == 0 && Boolean.TRUE.equals(s.getExclusiveMinimum()))) {
        errors.add(at + ": " + value + " is below the minimum " + s.getMinimum());
      }
    }
    if (s.getMaximum() != null) {
      int c = value.compareTo(s.getMaximum());
      if (c > 0 || (c == 0 && Boolean.TRUE.equals(s.getExclusiveMaximum()))) {
        errors.add(at + ": " + value + " is above the maximum " + s.getMaximum());
      }
    }
    if (s.getMultipleOf() != null && s.getMultipleOf().signum() > 0
        && value.remainder(s.getMultipleOf()).signum() != 0) {
      errors.add(at + ": " + value + " is not a multiple of " + s.getMultipleOf());
    }
  }

  private static boolean hasType(JsonNode node, String type) {
    return switch (type) {
      case "object" -> node.isObject();
      case "array" -> node.isArray();
      case "string" -> node.isTextual();
      case "integer" -> node.isIntegralNumber()
          || (node.isNumber() && node.decimalValue().stripTrailingZeros().scale() <= 0);
      case "number" -> node.isNumber();
      case "boolean" -> node.isBoolean();
      default -> true;
    };
  }

  private static boolean inEnum(JsonNode node, List<?> values) {
    for (Object v : values) {
      if (v == null ? node.isNull()
          : v instanceof Number n ? node.isNumber() && node.decimalValue().compareTo(new BigDecimal(n.toString())) == 0
          : v instanceof Boolean b ? node.isBoolean() && node.booleanValue() == b
          : node.isTextual() && node.asText().equals(v.toString())) {
        return true;
      }
    }
    return false;
  }

  private static String kind(JsonNode node) {
    return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
  }

  private static String brief(JsonNode node) {
    String text = node.toString();
    return text.length() > 60 ? text.substring(0, 57) + "..." : text;
  }

  private static Pattern compile(String ecma) {
    try {
      return Pattern.compile(ecma);
    } catch (PatternSyntaxException e) {
      return null; // an ECMA-only construct: not checked
    }
  }

  private static boolean parses(Runnable r) {
    try {
      r.run();
      return true;
    } catch (DateTimeParseException | IllegalArgumentException | NullPointerException e) {
      return false;
    }
  }
}
