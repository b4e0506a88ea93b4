package io.potions.internal.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.potions.PotionsException;
import io.potions.http.ApiUnreachableException;
import io.potions.http.HttpApiException;
import io.potions.http.RateLimitedException;
import io.potions.http.ServerErrorException;
import io.potions.http.Sleeper;
import io.potions.secret.Redactor;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON API over HTTP: makes calls with the JDK's HTTP client and retries them with Resilience4j.
 *
 * <p>Every call has a timeout and carries the authorization header (asked for anew on every
 * attempt, so a refreshed token is used), the user agent and the fixed headers. A 2xx answer comes
 * back as an {@link ApiResponse}; any other goes through the API's {@link ErrorMapper}, and a
 * failed connection or timeout becomes an {@link ApiUnreachableException}.
 *
 * <p>Retries: Resilience4j decides whether to retry (its exception predicate) and how long to wait
 * (its interval function); the transport only waits that long, through its {@link Sleeper}. A
 * {@link RateLimitedException} is retried for every method, since the API refused the request
 * before doing anything, after the wait it asked for, unless that is longer than {@code
 * maxRateLimitWait}. A {@link ServerErrorException} or {@link ApiUnreachableException} is retried
 * with exponential backoff only for calls that are safe to repeat.
 *
 * <p>Thread-safe.
 */
public final class HttpTransport {
  private final String api;
  private final String baseUri;
  private final HttpClient http;
  private final Duration callTimeout;
  private final Map<String, String> headers;
  private final Supplier<String> authorization;
  private final String requestIdHeader;
  private final ObjectMapper json;
  private final ErrorMapper errors;
  private final Redactor redactor;
  private final Clock clock;
  private final Sleeper sleeper;
  private final int maxAttempts;
  private final Duration retryBackoff;
  private final Duration maxRetryBackoff;
  private final Duration maxRateLimitWait;
  private final BiConsumer<Integer, HttpHeaders> onAnswer;
  private final Logger log;
  private final Retry repeatableRetry;
  private final Retry onceRetry;

  private HttpTransport(Builder b) {
    this.api = Objects.requireNonNull(b.api, "api");
    String base = Objects.requireNonNull(b.baseUri, "baseUri").toString();
    this.baseUri = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    this.http = b.httpClient != null ? b.httpClient : HttpClient.newBuilder()
        .connectTimeout(b.connectTimeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .version(HttpClient.Version.HTTP_1_1)
        .build();
    this.callTimeout = b.callTimeout;
    this.headers = new LinkedHashMap<>(b.headers);
    this.headers.putIfAbsent("Accept", "application/json");
    this.headers.put("User-Agent", b.userAgent);
    this.authorization = b.authorization;
    this.requestIdHeader = b.requestIdHeader;
    this.json = b.json;
    this.errors = Objects.requireNonNull(b.errors, "errors");
    this.redactor = b.redactor;
    this.clock = b.clock;
    this.sleeper = b.sleeper;
    this.maxAttempts = b.maxAttempts;
    this.retryBackoff = b.retryBackoff;
    this.maxRetryBackoff = b.maxRetryBackoff;
    this.maxRateLimitWait = b.maxRateLimitWait;
    this.onAnswer = b.onAnswer;
    this.log = b.log;
    this.repeatableRetry = retry(true);
    this.onceRetry = retry(false);
  }

  /**
   * @param api the API's name, in messages and exceptions, such as {@code GitHub}
   * @param baseUri the API's root; call paths are appended to it
   * @param errors turns the API's failed answers into exceptions
   * @return a builder
   */
  public static Builder builder(String api, URI baseUri, ErrorMapper errors) {
    return new Builder(api, baseUri, errors);
  }

  /** @return the API's name */
  public String api() {
    return api;
  }

  /** @return the API's root, without a trailing slash */
  public String baseUri() {
    return baseUri;
  }

  /** @return the JSON mapper bodies are read and written with */
  public ObjectMapper json() {
    return json;
  }

  /** @return the longest rate-limit wait that is waited out, for messages */
  public Duration maxRateLimitWait() {
    return maxRateLimitWait;
  }

  /** @return the attempts per call, the first included, for messages */
  public int maxAttempts() {
    return maxAttempts;
  }

  /**
   * {@code GET}s a path, retried as a call safe to repeat.
   *
   * @param pathAndQuery the path below the base address, with its query
   * @return the answer
   */
  public ApiResponse get(String pathAndQuery) {
    return send("GET", pathAndQuery, null);
  }

  /**
   * Sends a call with the default authorization; GET, HEAD, PUT and DELETE are repeated after a 5xx
   * or a lost connection, POST and PATCH are not.
   *
   * @param method the HTTP method
   * @param pathAndQuery the path below the base address, with its query
   * @param body the JSON body, or {@code null}
   * @return the answer
   */
  public ApiResponse send(String method, String pathAndQuery, JsonNode body) {
    return send(method, pathAndQuery, body, !method.equals("POST") && !method.equals("PATCH"), authorization);
  }

  /**
   * Sends a call.
   *
   * @param method the HTTP method
   * @param pathAndQuery the path below the base address, with its query
   * @param body the JSON body, or {@code null}
   * @param repeatable whether doing the call twice is harmless, so a 5xx or a lost connection may be
   *     retried
   * @param authorization the {@code Authorization} header's value, asked for on every attempt, or
   *     {@code null} to send none
   * @return the answer
   * @throws HttpApiException what the error mapper made of a failed answer, or {@link
   *     ApiUnreachableException}, once the retries are spent or not allowed
   */
  public ApiResponse send(String method, String pathAndQuery, JsonNode body, boolean repeatable,
      Supplier<String> authorization) {
    byte[] bytes;
    try {
      bytes = body == null ? null : json.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new PotionsException("Could not encode a request to " + api + ": " + e.getOriginalMessage(), e);
    }
    Retry.AsyncContext<ApiResponse> retry = (repeatable ? repeatableRetry : onceRetry).asyncContext();
    while (true) {
      ApiResponse answer;
      try {
        answer = attempt(method, pathAndQuery, bytes, authorization);
      } catch (RuntimeException e) {
        long waitMillis = retry.onError(e); // Resilience4j: negative means "do not retry"
        if (waitMillis < 0) {
          throw e;
        }
        sleep(Duration.ofMillis(waitMillis));
        continue;
      }
      retry.onComplete();
      return answer;
    }
  }

  private ApiResponse attempt(String method, String pathAndQuery, byte[] body, Supplier<String> authorization) {
    String path = pathOf(pathAndQuery);
    String what = method + " " + path;
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUri + pathAndQuery)).timeout(callTimeout);
    headers.forEach(request::header);
    if (authorization != null) {
      request.header("Authorization", authorization.get());
    }
    if (body != null) {
      request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofByteArray(body));
    } else {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    }
    long started = System.nanoTime();
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (HttpTimeoutException e) {
      throw new ApiUnreachableException(api, redactor.redact(api + " did not answer " + what + " within "
          + RetryAfter.describe(callTimeout) + " (" + e.getMessage() + "). Check the network, or raise the"
          + " client's callTimeout."), true, e);
    } catch (IOException e) {
      throw new ApiUnreachableException(api, redactor.redact("Could not reach the " + api + " API at " + baseUri
          + " for " + what + ": " + e + ". Check the network, proxy settings and the API address."), false, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PotionsException("Interrupted while calling " + api + " (" + what + ").", e);
    }
    int status = response.statusCode();
    HttpHeaders answerHeaders = response.headers();
    log.debug("{} -> {} in {} ms", what, status, (System.nanoTime() - started) / 1_000_000);
    onAnswer.accept(status, answerHeaders);
    String requestId = requestIdHeader == null ? null : answerHeaders.firstValue(requestIdHeader).orElse(null);
    String text = response.body() == null ? "" : response.body();
    if (status >= 200 && status < 300) {
      if (text.isBlank()) {
        return new ApiResponse(status, json.createObjectNode(), answerHeaders, requestId);
      }
      try {
        return new ApiResponse(status, json.readTree(text), answerHeaders, requestId);
      } catch (JsonProcessingException e) {
        throw new HttpApiException(api, api + " answered " + what + " with " + status + " and a body that is not"
            + " JSON.", status, requestId, null, null, null);
      }
    }
    JsonNode error = null;
    try {
      JsonNode parsed = text.isBlank() ? null : json.readTree(text);
      error = parsed != null && parsed.isObject() ? parsed : null;
    } catch (JsonProcessingException notJson) {
      error = null; // not the API's error body; the status speaks for itself
    }
    HttpApiException e = errors.map(new ApiFailure(method, path, status, answerHeaders, text, error, requestId,
        clock.instant()));
    log.debug("{} failed: {}", what, e.getMessage());
    throw e;
  }

  private Retry retry(boolean repeatable) {
    RetryConfig config = RetryConfig.custom()
        .maxAttempts(maxAttempts)
        .retryOnException(e -> retryable(e, repeatable))
        .intervalBiFunction((attempt, outcome) -> waitBeforeRetry(attempt, outcome.isLeft() ? outcome.getLeft() : null)
            .toMillis())
        .build();
    Retry retry = Retry.of(api.toLowerCase(java.util.Locale.ROOT) + (repeatable ? "-repeatable" : "-once"), config);
    retry.getEventPublisher().onRetry(event -> log.warn("Retrying a {} call in {} ms (attempt {} of {}): {}", api,
        event.getWaitInterval().toMillis(), event.getNumberOfRetryAttempts() + 1, maxAttempts,
        event.getLastThrowable() == null ? "" : event.getLastThrowable().getMessage()));
    return retry;
  }

  private boolean retryable(Throwable e, boolean repeatable) {
    if (e instanceof RateLimitedException limited) {
      // Refused before any processing, so repeating it is safe for every method.
      return limited.retryAfter().map(w -> w.compareTo(maxRateLimitWait) <= 0).orElse(true);
    }
    return repeatable && (e instanceof ServerErrorException || e instanceof ApiUnreachableException);
  }

  /** The wait before retry number {@code attempt}: what a rate limit asked for, else doubling backoff. */
  private Duration waitBeforeRetry(int attempt, Throwable failure) {
    if (failure instanceof RateLimitedException limited && limited.retryAfter().isPresent()) {
      return limited.retryAfter().get();
    }
    long millis = retryBackoff.toMillis();
    for (int i = 1; i < attempt && millis < maxRetryBackoff.toMillis(); i++) {
      millis *= 2;
    }
    return Duration.ofMillis(Math.min(millis, maxRetryBackoff.toMillis()));
  }

  private void sleep(Duration duration) {
    try {
      sleeper.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PotionsException("Interrupted while waiting on " + api + ".", e);
    }
  }

  private static String pathOf(String pathAndQuery) {
    int q = pathAndQuery.indexOf('?');
    return q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
  }

  /** Settings of an {@link HttpTransport}; the API clients validate what their users set. */
  public static final class Builder {
    private final String api;
    private final URI baseUri;
    private final ErrorMapper errors;
    private HttpClient httpClient;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration callTimeout = Duration.ofSeconds(30);
    private final Map<String, String> headers = new LinkedHashMap<>();
    private String userAgent = "potions-java";
    private Supplier<String> authorization;
    private String requestIdHeader = "x-request-id";
    private ObjectMapper json = new ObjectMapper();
    private Redactor redactor = new Redactor();
    private Clock clock = Clock.systemUTC();
    private Sleeper sleeper = Sleeper.SYSTEM;
    private int maxAttempts = 3;
    private Duration retryBackoff = Duration.ofMillis(500);
    private Duration maxRetryBackoff = Duration.ofSeconds(8);
    private Duration maxRateLimitWait = Duration.ofSeconds(60);
    private BiConsumer<Integer, HttpHeaders> onAnswer = (status, h) -> { };
    private Logger log = LoggerFactory.getLogger(HttpTransport.class);

    private Builder(String api, URI baseUri, ErrorMapper errors) {
      this.api = api;
      this.baseUri = baseUri;
      this.errors = errors;
    }

    /**
     * @param httpClient the JDK HTTP client, or {@code null} for one with the connect timeout and no
     *     redirects
     * @return this
     */
    public Builder httpClient(HttpClient httpClient) {
      this.httpClient = httpClient;
      return this;
    }

    /**
     * @param settings a client builder's shared settings: time limits, retries, clock, sleeper, JDK client
     * @return this
     */
    public Builder settings(io.potions.http.ApiClientSettings settings) {
      return httpClient(settings.httpClient()).connectTimeout(settings.connectTimeout())
          .callTimeout(settings.callTimeout()).clock(settings.clock()).sleeper(settings.sleeper())
          .retries(settings.maxAttempts(), settings.retryBackoff(), settings.maxRetryBackoff(),
              settings.maxRateLimitWait());
    }

    /**
     * @param connectTimeout how long connecting may take (ignored with {@link #httpClient})
     * @return this
     */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = Objects.requireNonNull(connectTimeout);
      return this;
    }

    /**
     * @param callTimeout how long one attempt may take, answer included
     * @return this
     */
    public Builder callTimeout(Duration callTimeout) {
      this.callTimeout = Objects.requireNonNull(callTimeout);
      return this;
    }

    /**
     * @param name a header every call carries, such as {@code Accept}
     * @param value its value
     * @return this
     */
    public Builder header(String name, String value) {
      headers.put(name, value);
      return this;
    }

    /**
     * @param userAgent the {@code User-Agent} (default {@code potions-java})
     * @return this
     */
    public Builder userAgent(String userAgent) {
      this.userAgent = Objects.requireNonNull(userAgent);
      return this;
    }

    /**
     * @param authorization the default {@code Authorization} header value, such as {@code Bearer
     *     ...}, asked for on every attempt
     * @return this
     */
    public Builder authorization(Supplier<String> authorization) {
      this.authorization = authorization;
      return this;
    }

    /**
     * @param requestIdHeader the answer header holding the API's request id (default {@code
     *     x-request-id})
     * @return this
     */
    public Builder requestIdHeader(String requestIdHeader) {
      this.requestIdHeader = requestIdHeader;
      return this;
    }

    /**
     * @param json the mapper bodies are read and written with
     * @return this
     */
    public Builder json(ObjectMapper json) {
      this.json = Objects.requireNonNull(json);
      return this;
    }

    /**
     * @param redactor masks the secrets the client knows in every message the transport makes
     * @return this
     */
    public Builder redactor(Redactor redactor) {
      this.redactor = Objects.requireNonNull(redactor);
      return this;
    }

    /**
     * @param clock the clock {@link ApiFailure#receivedAt()} comes from (tests pass a fake one)
     * @return this
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock);
      return this;
    }

    /**
     * @param sleeper how to wait between attempts (tests pass one that does not really sleep)
     * @return this
     */
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper);
      return this;
    }

    /**
     * @param maxAttempts attempts per call, the first included (1 = never retry)
     * @param first the wait before the first retry; it doubles after
     * @param max the longest such wait
     * @param maxRateLimitWait the longest wait a rate limit may ask for and still be waited out
     * @return this
     */
    public Builder retries(int maxAttempts, Duration first, Duration max, Duration maxRateLimitWait) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1");
      }
      this.maxAttempts = maxAttempts;
      this.retryBackoff = Objects.requireNonNull(first);
      this.maxRetryBackoff = Objects.requireNonNull(max);
      this.maxRateLimitWait = Objects.requireNonNull(maxRateLimitWait);
      return this;
    }

    /**
     * @param onAnswer told the status and headers of every answer, failed ones included (such as to
     *     keep rate-limit headers)
     * @return this
     */
    public Builder onAnswer(BiConsumer<Integer, HttpHeaders> onAnswer) {
      this.onAnswer = Objects.requireNonNull(onAnswer);
      return this;
    }

    /**
     * @param log where calls and retries are logged (the API client's logger, so users configure
     *     one name per API)
     * @return this
     */
    public Builder log(Logger log) {
      this.log = Objects.requireNonNull(log);
      return this;
    }

    /** @return the transport */
    public HttpTransport build() {
      return new HttpTransport(this);
    }
  }
}
