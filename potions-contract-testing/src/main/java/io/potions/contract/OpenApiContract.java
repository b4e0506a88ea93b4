package io.potions.contract;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.parameters.RequestBody;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A published OpenAPI 3.0 description, used as the judge of requests and responses in tests: which
 * operation a request calls, whether its path, query and JSON body are allowed by that operation,
 * and whether a response body conforms to the schema documented for its status. Bodies are checked
 * by networknt's JSON Schema validator (see {@link JsonSchemas} for the translation); this class is
 * only the OpenAPI glue: routes, parameters, media types, statuses and references.
 *
 * <p>{@link #published(String, Options)} loads a description from the directory named by the system
 * property {@value #SPECS_DIR_PROPERTY} (the build points it at {@code shared/specs} beside the
 * repository), once per JVM, and fails when it is missing: a contract test that cannot find its
 * contract must not pass.
 */
public final class OpenApiContract {
  /** The system property naming the directory of API descriptions. */
  public static final String SPECS_DIR_PROPERTY = "potions.specs.dir";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, OpenApiContract> PUBLISHED = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * How strictly a description is read, where a provider's real behaviour differs from its text.
   *
   * @param additionalPropertiesInCompositions whether {@code additionalProperties: false} applies
   *     where it is written, inside {@code allOf}/{@code oneOf} parts too (JSON Schema's rule; GitHub's
   *     {@code empty-object} relies on it); when false it is dropped and objects are closed where
   *     they are used instead
   * @param generalErrorSchemas statuses the provider may answer on any operation, each with the
   *     component schema its body is judged by when the operation does not document the status
   */
  public record Options(boolean additionalPropertiesInCompositions, Map<Integer, String> generalErrorSchemas) {
    /** @return every operation's statuses as documented, additionalProperties only where objects are used */
    public static Options strict() {
      return new Options(false, Map.of());
    }

    /**
     * @param schemas for each status the provider answers on any operation, the component schema
     *     of its error body
     * @return these options, with those statuses allowed everywhere
     */
    public Options withGeneralErrors(Map<Integer, String> schemas) {
      return new Options(additionalPropertiesInCompositions, Map.copyOf(schemas));
    }

    /** @return these options, with {@code additionalProperties: false} applied inside compositions too */
    public Options withAdditionalPropertiesInCompositions() {
      return new Options(true, generalErrorSchemas);
    }
  }

  private final OpenAPI api;
  private final Options options;
  private final JsonSchemas schemas;
  private final List<Route> routes = new ArrayList<>();

  private OpenApiContract(OpenAPI api, Options options) {
    this.api = api;
    this.options = options;
    this.schemas = new JsonSchemas(api.getComponents() == null ? null : api.getComponents().getSchemas(), options);
    api.getPaths().forEach((template, item) -> routes.add(new Route(template, item)));
    // Literal segments win over templated ones: /v2/droplets/actions before /v2/droplets/{id}.
    routes.sort(Comparator.comparingInt((Route r) -> r.params.size())
        .thenComparing(r -> -r.template.length()));
  }

  /** DigitalOcean's whole published description's file name in the specs directory. */
  public static final String DIGITALOCEAN_SPEC = "digitalocean-openapi.yaml";

  /** GitHub's description's file name (the subset the SDK uses, with webhook payloads under {@code x-webhooks}). */
  public static final String GITHUB_SPEC = "github-rest-subset.json";

  /**
   * @return DigitalOcean's whole published description, read strictly, loaded once per JVM
   * @throws AssertionError when the description cannot be found or parsed
   */
  public static OpenApiContract digitalOcean() {
    return published(DIGITALOCEAN_SPEC, Options.strict());
  }

  /**
   * GitHub's description, read the way GitHub behaves: {@code additionalProperties: false} holds
   * inside compositions (its {@code empty-object} is a {@code oneOf} branch beside {@code simple-user}),
   * and the general errors (400, 401, 403, 422, 429, 5xx) may come from any operation, with its
   * {@code basic-error} body ({@code validation-error} for 422).
   *
   * @return the contract, loaded once per JVM
   * @throws AssertionError when the description cannot be found or parsed
   */
  public static OpenApiContract github() {
    Map<Integer, String> general = new LinkedHashMap<>();
    for (int status : new int[] {400, 401, 403, 429, 500, 502, 503}) {
      general.put(status, "basic-error");
    }
    general.put(422, "validation-error");
    return published(GITHUB_SPEC, Options.strict().withAdditionalPropertiesInCompositions().withGeneralErrors(general));
  }

  /**
   * A published description from the specs directory, loaded once per JVM and file.
   *
   * @param fileName the file's name in {@link #specsDir()}, such as {@code github-rest-subset.json}
   * @param options how strictly to read it (the first call for a file decides)
   * @return the contract
   * @throws AssertionError when the description cannot be found or parsed
   */
  public static OpenApiContract published(String fileName, Options options) {
    return PUBLISHED.computeIfAbsent(fileName, f -> load(specsDir().resolve(f), options));
  }

  /**
   * @return the directory named by {@value #SPECS_DIR_PROPERTY}
   * @throws AssertionError when the property is not set
   */
  public static Path specsDir() {
    String dir = System.getProperty(SPECS_DIR_PROPERTY);
    if (dir == null || dir.isBlank()) {
      throw new AssertionError("System property " + SPECS_DIR_PROPERTY + " is not set: the contract tests"
          + " need the API descriptions (shared/specs). Run the tests through Maven, or pass -D"
          + SPECS_DIR_PROPERTY + "=/path/to/shared/specs.");
    }
    return Path.of(dir);
  }

  /**
   * Parses a description.
   *
   * @param file an OpenAPI 3.0 YAML or JSON file
   * @param options how strictly to read it
   * @return the contract
   * @throws AssertionError when the file is missing or does not parse
   */
  public static OpenApiContract load(Path file, Options options) {
    if (!Files.isRegularFile(file)) {
      throw new AssertionError("API description " + file.toAbsolutePath().normalize() + " is missing: the"
          + " contract tests cannot run without it (expected shared/specs beside the repository).");
    }
    ParseOptions parsing = new ParseOptions();
    parsing.setResolve(true);
    SwaggerParseResult result = new OpenAPIV3Parser().readLocation(file.toUri().toString(), null, parsing);
    if (result.getOpenAPI() == null || result.getOpenAPI().getPaths() == null) {
      throw new AssertionError("Could not parse " + file + ": " + result.getMessages());
    }
    return new OpenApiContract(result.getOpenAPI(), options);
  }

  /** @return the parsed description */
  public OpenAPI api() {
    return api;
  }

  /**
   * Finds the operation a request calls.
   *
   * @param method the HTTP method
   * @param path the raw path, without query
   * @return the operation, or empty when no path template of the description matches
   */
  public Optional<Match> match(String method, String path) {
    for (Route route : routes) {
      Matcher m = route.regex.matcher(path);
      if (m.matches()) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < route.params.size(); i++) {
          values.put(route.params.get(i), decode(m.group(i + 1)));
        }
        Operation op = route.item.readOperationsMap().get(
            PathItem.HttpMethod.valueOf(method.toUpperCase(Locale.ROOT)));
        return Optional.of(new Match(route.template, route.item, op, values));
      }
    }
    return Optional.empty();
  }

  /**
   * Checks a request against the operation it calls.
   *
   * @param method HTTP method
   * @param rawUrl path and query as sent, such as {@code /v2/droplets?page=2}
   * @param headers request headers (names in any case)
   * @param body the body, or empty
   * @return the violations, empty when the description allows the request
   */
  public List<String> validateRequest(String method, String rawUrl, Map<String, String> headers, String body) {
    List<String> errors = new ArrayList<>();
    String path = rawUrl.contains("?") ? rawUrl.substring(0, rawUrl.indexOf('?')) : rawUrl;
    String query = rawUrl.contains("?") ? rawUrl.substring(rawUrl.indexOf('?') + 1) : "";
    String what = method + " " + path;
    Optional<Match> found = match(method, path);
    if (found.isEmpty()) {
      errors.add(what + ": no path of the API description matches");
      return errors;
    }
    Match match = found.get();
    if (match.operation() == null) {
      errors.add(what + ": " + method + " is not an operation of " + match.template());
      return errors;
    }
    what = method + " " + match.template() + " (" + match.operation().getOperationId() + ")";
    Map<String, Parameter> params = parameters(match);
    // path parameters
    for (Map.Entry<String, String> e : match.pathParams().entrySet()) {
      Parameter p = params.get("path:" + e.getKey());
      if (p == null) {
        errors.add(what + ": path parameter " + e.getKey() + " is not declared");
      } else {
        errors.addAll(parameterValue(what + ": path parameter " + e.getKey(), e.getValue(), p.getSchema()));
      }
    }
    // query parameters
    Map<String, List<String>> queryValues = parseQuery(query);
    for (Map.Entry<String, List<String>> e : queryValues.entrySet()) {
      Parameter p = params.get("query:" + e.getKey());
      if (p == null) {
        errors.add(what + ": query parameter '" + e.getKey() + "' is not declared by the operation");
        continue;
      }
      for (String v : e.getValue()) {
        errors.addAll(parameterValue(what + ": query parameter " + e.getKey(), v, p.getSchema()));
      }
    }
    for (Parameter p : params.values()) {
      if (Boolean.TRUE.equals(p.getRequired()) && "query".equals(p.getIn()) && !queryValues.containsKey(p.getName())) {
        errors.add(what + ": required query parameter '" + p.getName() + "' is missing");
      }
    }
    // authentication: checked only when the description declares security (GitHub's does not; its
    // simulation checks tokens itself)
    if ((api.getSecurity() != null && !api.getSecurity().isEmpty()) || match.operation().getSecurity() != null) {
      String auth = header(headers, "Authorization");
      if (auth == null || !auth.startsWith("Bearer ")) {
        errors.add(what + ": no 'Authorization: Bearer' header");
      }
    }
    // body
    RequestBody requestBody = requestBody(match.operation().getRequestBody());
    boolean hasBody = body != null && !body.isEmpty();
    if (requestBody == null) {
      if (hasBody) {
        errors.add(what + ": the operation takes no request body, but one was sent");
      }
      return errors;
    }
    if (!hasBody) {
      if (Boolean.TRUE.equals(requestBody.getRequired())) {
        errors.add(what + ": the request body is required");
      }
      return errors;
    }
    String contentType = header(headers, "Content-Type");
    MediaType media = mediaType(requestBody.getContent(), contentType);
    if (media == null) {
      errors.add(what + ": content type " + contentType + " is not one of " + requestBody.getContent().keySet());
      return errors;
    }
    try {
      JSON.readTree(body);
    } catch (JsonProcessingException e) {
      errors.add(what + ": the request body is not JSON: " + e.getOriginalMessage());
      return errors;
    }
    errors.addAll(prefixed(what + ": request ",
        schemas.validate(body, media.getSchema(), Direction.REQUEST, "body")));
    return errors;
  }

  /**
   * Checks a response against what the operation documents for its status.
   *
   * @param method HTTP method of the request
   * @param rawUrl path (and query) of the request
   * @param status the response's status
   * @param contentType the response's content type, or {@code null}
   * @param body the response's body, or empty
   * @return the violations, empty when it conforms
   */
  public List<String> validateResponse(String method, String rawUrl, int status, String contentType, String body) {
    String path = rawUrl.contains("?") ? rawUrl.substring(0, rawUrl.indexOf('?')) : rawUrl;
    Optional<Match> found = match(method, path);
    if (found.isEmpty() || found.get().operation() == null) {
      return List.of(); // the request was already reported
    }
    Operation op = found.get().operation();
    String what = method + " " + found.get().template() + " (" + op.getOperationId() + ") -> " + status;
    ApiResponse response = op.getResponses().get(String.valueOf(status));
    if (response == null) {
      response = op.getResponses().get(status / 100 + "XX");
    }
    if (response == null) {
      response = op.getResponses().get("default");
    }
    String general = options.generalErrorSchemas().get(status);
    if (response == null && general != null) {
      // The provider answers these on any operation (invalid input, bad credentials, rate limits,
      // outages) but documents them on few: hold them to its general error schemas instead.
      return checkBody(what + ": response ", body == null || body.isBlank() ? "{}" : body,
          api.getComponents().getSchemas().get(general), Direction.RESPONSE, "body");
    }
    if (response == null) {
      return List.of(what + ": status " + status + " is not documented for the operation");
    }
    response = response(response);
    boolean hasBody = body != null && !body.isBlank();
    if (response.getContent() == null || response.getContent().isEmpty()) {
      return hasBody ? List.of(what + ": documented without a body, but one was sent") : List.of();
    }
    if (!hasBody) {
      return List.of(what + ": documented with a body, but none was sent");
    }
    MediaType media = mediaType(response.getContent(), contentType);
    if (media == null) {
      return List.of(what + ": content type " + contentType + " is not one of " + response.getContent().keySet());
    }
    return checkBody(what + ": response ", body, media.getSchema(), Direction.RESPONSE, "body");
  }

  /**
   * Checks a webhook payload against the schema GitHub publishes for its event under
   * {@code x-webhooks}.
   *
   * @param event the event name ({@code X-GitHub-Event}), such as {@code push}
   * @param body the JSON payload
   * @return the violations, empty when it conforms
   */
  public List<String> validateWebhook(String event, String body) {
    Schema<?> schema = webhookSchema(event);
    if (schema == null) {
      return List.of("webhook " + event + ": not described under x-webhooks");
    }
    return checkBody("webhook " + event + ": ", body, schema, Direction.REQUEST, "payload");
  }

  /**
   * Checks a JSON document against one of the description's component schemas.
   *
   * @param component the schema's name under {@code components/schemas}
   * @param json the document
   * @param direction which side of an exchange it is on
   * @return the violations, empty when it conforms
   */
  public List<String> validateComponent(String component, String json, Direction direction) {
    Schema<?> schema = api.getComponents().getSchemas().get(component);
    if (schema == null) {
      return List.of(component + ": no such component schema");
    }
    return checkBody(component + ": ", json, schema, direction, "payload");
  }

  /**
   * @param event a webhook event name
   * @return the JSON schema of its payload, as referenced from {@code x-webhooks}, or {@code null}
   */
  @SuppressWarnings("unchecked")
  public Schema<?> webhookSchema(String event) {
    Object hooks = api.getExtensions() == null ? null : api.getExtensions().get("x-webhooks");
    if (!(hooks instanceof Map<?, ?> byEvent) || !(byEvent.get(event) instanceof Map<?, ?> item)) {
      return null;
    }
    Object post = item.get("post");
    Object content = post instanceof Map<?, ?> p && p.get("requestBody") instanceof Map<?, ?> rb ? rb.get("content") : null;
    Object json = content instanceof Map<?, ?> c ? c.get("application/json") : null;
    Object schema = json instanceof Map<?, ?> j ? j.get("schema") : null;
    Object ref = schema instanceof Map<?, ?> s ? ((Map<String, Object>) s).get("$ref") : null;
    if (!(ref instanceof String name)) {
      return null;
    }
    return api.getComponents().getSchemas().get(name.substring(name.lastIndexOf('/') + 1));
  }

  /**
   * An operation a request was matched to.
   *
   * @param template the path template, such as {@code /v2/droplets/{droplet_id}}
   * @param item the path item
   * @param operation the operation for the method, or {@code null} when the path has none
   * @param pathParams the path parameters' values
   */
  public record Match(String template, PathItem item, Operation operation, Map<String, String> pathParams) {}

  private Map<String, Parameter> parameters(Match match) {
    Map<String, Parameter> out = new LinkedHashMap<>();
    List<Parameter> all = new ArrayList<>();
    if (match.item().getParameters() != null) {
      all.addAll(match.item().getParameters());
    }
    if (match.operation().getParameters() != null) {
      all.addAll(match.operation().getParameters());
    }
    for (Parameter p : all) {
      Parameter resolved = parameter(p);
      out.put(resolved.getIn() + ":" + resolved.getName(), resolved);
    }
    return out;
  }

  private List<String> checkBody(String prefix, String json, Schema<?> schema, Direction direction, String where) {
    try {
      JSON.readTree(json);
    } catch (JsonProcessingException e) {
      return List.of(prefix + "the " + where + " is not JSON: " + e.getOriginalMessage());
    }
    return prefixed(prefix, schemas.validate(json, schema, direction, where));
  }

  private List<String> parameterValue(String what, String raw, Schema<?> schema) {
    // Parameters arrive as text: accept the value if any reading of it conforms.
    List<JsonNode> readings = new ArrayList<>();
    readings.add(TextNode.valueOf(raw));
    if (raw.matches("-?\\d{1,18}")) {
      readings.add(LongNode.valueOf(Long.parseLong(raw)));
    } else if (raw.matches("-?\\d+(\\.\\d+)?")) {
      readings.add(DecimalNode.valueOf(new BigDecimal(raw)));
    }
    if (raw.equals("true") || raw.equals("false")) {
      readings.add(BooleanNode.valueOf(Boolean.parseBoolean(raw)));
    }
    List<String> last = List.of();
    for (JsonNode reading : readings) {
      last = schemas.validate(reading.toString(), schema, null, "value");
      if (last.isEmpty()) {
        return List.of();
      }
    }
    return prefixed(what + " ", last); // the most specific reading's complaints
  }

  private Parameter parameter(Parameter p) {
    return resolve(p, Parameter::get$ref, api.getComponents().getParameters());
  }

  private RequestBody requestBody(RequestBody b) {
    return resolve(b, RequestBody::get$ref, api.getComponents().getRequestBodies());
  }

  private ApiResponse response(ApiResponse r) {
    return resolve(r, ApiResponse::get$ref, api.getComponents().getResponses());
  }

  /** Follows {@code #/components/<kind>/<name>} references until the object itself. */
  private static <T> T resolve(T start, java.util.function.Function<T, String> ref, Map<String, T> components) {
    T current = start;
    for (int hops = 0; current != null && ref.apply(current) != null; hops++) {
      String target = ref.apply(current);
      if (hops > 32 || components == null) {
        throw new IllegalStateException("Unresolvable reference " + target);
      }
      current = components.get(target.substring(target.lastIndexOf('/') + 1));
    }
    return current;
  }

  private static MediaType mediaType(Content content, String contentType) {
    if (content == null) {
      return null;
    }
    String base = contentType == null ? "application/json"
        : contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
    MediaType exact = content.get(base);
    if (exact != null) {
      return exact;
    }
    return content.get("*/*");
  }

  private static String header(Map<String, String> headers, String name) {
    for (Map.Entry<String, String> e : headers.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name)) {
        return e.getValue();
      }
    }
    return null;
  }

  private static Map<String, List<String>> parseQuery(String query) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (query == null || query.isEmpty()) {
      return out;
    }
    for (String pair : query.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      out.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    }
    return out;
  }

  private static String decode(String s) {
    return java.net.URLDecoder.decode(s, java.nio.charset.StandardCharsets.UTF_8);
  }

  private static List<String> prefixed(String prefix, List<String> errors) {
    return errors.stream().map(e -> prefix + e).toList();
  }

  private static final class Route {
    final String template;
    final PathItem item;
    final Pattern regex;
    final List<String> params = new ArrayList<>();

    Route(String template, PathItem item) {
      this.template = template;
      this.item = item;
      StringBuilder re = new StringBuilder();
      Matcher m = Pattern.compile("\\{([^}]+)}").matcher(template);
      int last = 0;
      while (m.find()) {
        re.append(Pattern.quote(template.substring(last, m.start()))).append("([^/]+)");
        params.add(m.group(1));
        last = m.end();
      }
      re.append(Pattern.quote(template.substring(last)));
      this.regex = Pattern.compile(re.toString());
    }
  }
}
