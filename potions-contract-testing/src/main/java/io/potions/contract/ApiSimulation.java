package io.potions.contract;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.request;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.Parameters;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.extension.ServeEventListener;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.http.LoggedResponse;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What every API simulation shares: a WireMock server on a free local port, a catch-all that hands
 * each request to the subclass's simulated API, queued faults ahead of it, and a listener that checks
 * every request and every answer (simulated or queued) against the published {@link OpenApiContract}
 * and records the exchange.
 *
 * <p>Use a simulation as a JUnit 5 extension on a static field: it starts lazily, {@link #reset()}s
 * before each test, fails the test after it when the contract was broken, and stops after the class.
 *
 * @param <S> the simulation's own type, so settings chain
 */
public abstract class ApiSimulation<S extends ApiSimulation<S>>
    implements BeforeEachCallback, AfterEachCallback, AfterAllCallback, AutoCloseable {

  private final String name;
  private final OpenApiContract contract;
  private final String transformer;
  private final List<String> violations = new CopyOnWriteArrayList<>();
  private final List<Exchange> exchanges = new CopyOnWriteArrayList<>();
  private final AtomicInteger scenarios = new AtomicInteger();
  private WireMockServer server;

  /**
   * @param name the API's name, for messages and extension names, such as {@code GitHub}
   * @param contract the description requests and answers are checked against
   */
  protected ApiSimulation(String name, OpenApiContract contract) {
    this.name = name;
    this.contract = contract;
    this.transformer = name.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-") + "-simulation";
  }

  /**
   * Answers a request the contract allows, from the simulated state.
   *
   * @param request the request
   * @return the answer
   */
  protected abstract ResponseDefinition answer(LoggedRequest request);

  /**
   * Answers a request the contract does not allow (it is recorded as a violation too).
   *
   * @param request the request
   * @param violations what is wrong with it
   * @return the provider's error answer
   */
  protected abstract ResponseDefinition refuse(LoggedRequest request, List<String> violations);

  /** Puts the simulated state and settings back to their defaults (called by {@link #reset()}). */
  protected abstract void resetState();

  /** @return this, as the simulation's own type */
  @SuppressWarnings("unchecked")
  private S self() {
    return (S) this;
  }

  /**
   * Starts the server (done lazily by the JUnit callbacks and the accessors).
   *
   * @return this
   */
  public synchronized S start() {
    if (server == null) {
      server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1")
          .extensions(new Simulator(), new ContractCheck()));
      server.start();
      installCatchAll();
    }
    return self();
  }

  /** Stops the server; it can start again. */
  @Override
  public synchronized void close() {
    if (server != null) {
      server.stop();
      server = null;
    }
  }

  /** Forgets the simulated state, queued faults, recorded exchanges and violations. */
  public void reset() {
    start();
    server.resetAll();
    installCatchAll();
    resetState();
    violations.clear();
    exchanges.clear();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    reset();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    assertContractHonoured();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  /** @return the API root to give the client */
  public URI baseUri() {
    return URI.create("http://127.0.0.1:" + wireMock().port());
  }

  /** @return the WireMock server, for stubs of one's own (priority 1 beats the simulation) */
  public synchronized WireMockServer wireMock() {
    start();
    return server;
  }

  /** @return the description requests and answers are checked against */
  public OpenApiContract contract() {
    return contract;
  }

  // ---------------------------------------------------------------- faults

  /**
   * Answers the next {@code times} matching requests with {@code response} instead of simulating
   * them (a WireMock scenario walks through the states, then the simulation answers again). The
   * answers are checked against the contract like simulated ones.
   *
   * @param method HTTP method, or {@code ANY}
   * @param pathRegex a regular expression for the path, such as {@code /v2/droplets/\d+}
   * @param times how many requests
   * @param response the answer, such as {@link #connectionReset()}
   */
  public void failNext(String method, String pathRegex, int times, ResponseDefinitionBuilder response) {
    String scenario = "fault-" + scenarios.incrementAndGet();
    for (int i = 0; i < times; i++) {
      String state = i == 0 ? Scenario.STARTED : "after-" + i;
      wireMock().stubFor(("ANY".equals(method) ? any(urlPathMatching(pathRegex))
          : request(method, urlPathMatching(pathRegex)))
          .atPriority(1)
          .inScenario(scenario)
          .whenScenarioStateIs(state)
          .willSetStateTo("after-" + (i + 1))
          .willReturn(response));
    }
  }

  /** @return a dropped connection (the peer resets it before any answer) */
  public static ResponseDefinitionBuilder connectionReset() {
    return aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER);
  }

  // ---------------------------------------------------------------- inspection

  /** @return every request served since the last reset, with its answer */
  public List<Exchange> exchanges() {
    return List.copyOf(exchanges);
  }

  /**
   * @param method HTTP method
   * @param pathRegex regular expression for the path
   * @return how many such requests were served
   */
  public long count(String method, String pathRegex) {
    return exchanges.stream().filter(e -> e.method().equals(method) && e.path().matches(pathRegex)).count();
  }

  /** @return every contract violation seen since the last reset */
  public List<String> contractViolations() {
    return List.copyOf(violations);
  }

  /** Forgets the violations seen so far (for tests that provoke them on purpose). */
  public void clearContractViolations() {
    violations.clear();
  }

  /** @throws AssertionError when a request or answer broke the published contract */
  public void assertContractHonoured() {
    if (!violations.isEmpty()) {
      throw new AssertionError("The " + name + " API contract was broken " + violations.size() + " time(s):\n  "
          + String.join("\n  ", violations));
    }
  }

  /**
   * One request the simulation served.
   *
   * @param method HTTP method
   * @param path path without query, as sent (not decoded)
   * @param query query parameters (decoded; last value wins)
   * @param headers request headers
   * @param body request body
   * @param status answer's status, 0 when the connection was dropped
   * @param responseBody answer's body, {@code null} when the connection was dropped
   */
  public record Exchange(String method, String path, Map<String, String> query, Map<String, String> headers,
      String body, int status, String responseBody) {}

  // ---------------------------------------------------------------- helpers for subclasses

  /**
   * @param url path and query
   * @return the path, without query
   */
  protected static String path(String url) {
    int q = url.indexOf('?');
    return q < 0 ? url : url.substring(0, q);
  }

  /**
   * @param url path and query
   * @return the query parameters, decoded (last value wins; parameters without a value are left out)
   */
  protected static Map<String, String> query(String url) {
    Map<String, String> query = new LinkedHashMap<>();
    int q = url.indexOf('?');
    if (q >= 0) {
      for (String pair : url.substring(q + 1).split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          query.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
        }
      }
    }
    return query;
  }

  /**
   * @param s a URL-encoded text
   * @return it decoded
   */
  protected static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  /**
   * @param r a request
   * @return its headers, first value of each
   */
  protected static Map<String, String> headers(LoggedRequest r) {
    Map<String, String> out = new LinkedHashMap<>();
    for (HttpHeader h : r.getHeaders().all()) {
      out.put(h.key(), h.firstValue());
    }
    return out;
  }

  // ---------------------------------------------------------------- WireMock plumbing

  private void installCatchAll() {
    server.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().withTransformers(transformer)));
  }

  /** Answers every request not taken by a queued fault or a stub of the test's own. */
  private final class Simulator implements ResponseDefinitionTransformerV2 {
    @Override
    public String getName() {
      return transformer;
    }

    @Override
    public boolean applyGlobally() {
      return false;
    }

    @Override
    public ResponseDefinition transform(ServeEvent event) {
      LoggedRequest r = event.getRequest();
      List<String> broken = contract.validateRequest(r.getMethod().getName(), r.getUrl(), headers(r),
          r.getBodyAsString());
      return broken.isEmpty() ? answer(r) : refuse(r, broken);
    }
  }

  /** Checks every served request and answer against the contract, and records them. */
  private final class ContractCheck implements ServeEventListener {
    @Override
    public String getName() {
      return transformer + "-contract-check";
    }

    @Override
    public boolean applyGlobally() {
      return true;
    }

    @Override
    public void beforeResponseSent(ServeEvent event, Parameters parameters) {
      // Recorded before the answer leaves, so a test sees it as soon as its client has the answer.
      LoggedRequest r = event.getRequest();
      String method = r.getMethod().getName();
      String url = r.getUrl();
      violations.addAll(contract.validateRequest(method, url, headers(r), r.getBodyAsString()));
      LoggedResponse response = event.getResponse();
      boolean answered = response != null && response.getFault() == null;
      if (answered) {
        String contentType = response.getHeaders() == null ? null
            : response.getHeaders().getContentTypeHeader().mimeTypePart();
        violations.addAll(contract.validateResponse(method, url, response.getStatus(), contentType,
            response.getBodyAsString()));
      }
      exchanges.add(new Exchange(method, path(url), query(url), headers(r), r.getBodyAsString(),
          answered ? response.getStatus() : 0, answered ? response.getBodyAsString() : null));
    }
  }
}
