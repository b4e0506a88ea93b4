package io.potions.digitalocean;

import static io.potions.digitalocean.sim.DigitalOceanSimulation.connectionReset;
import static io.potions.digitalocean.sim.DigitalOceanSimulation.error;
import static io.potions.digitalocean.sim.DigitalOceanSimulation.rateLimited;
import static io.potions.digitalocean.sim.DigitalOceanSimulation.serverError;
import static io.potions.digitalocean.sim.DigitalOceanSimulation.stalled;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.potions.digitalocean.model.DropletCreateRequest;
import io.potions.digitalocean.sim.DigitalOceanSimulation;
import io.potions.digitalocean.sim.FakeTime;
import io.potions.http.ApiUnreachableException;
import io.potions.http.AuthenticationFailedException;
import io.potions.http.HttpApiException;
import io.potions.http.PermissionDeniedException;
import io.potions.http.RateLimitedException;
import io.potions.http.RequestRejectedException;
import io.potions.http.ServerErrorException;
import io.potions.secret.Secret;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** How the client meets DigitalOcean's failures: what it retries, what it never retries, what it says. */
class DigitalOceanErrorTest {
  @RegisterExtension static final DigitalOceanSimulation sim = new DigitalOceanSimulation();

  private FakeTime time;
  private DigitalOceanClient client;

  @BeforeEach
  void client() {
    time = new FakeTime();
    client = builder().build();
  }

  private DigitalOceanClient.Builder builder() {
    return DigitalOceanClient.builder().token(Secret.of(sim.token())).baseUri(sim.baseUri())
        .clock(time).sleeper(time);
  }

  private static DropletCreateRequest droplet(String size) {
    return DropletCreateRequest.builder().name("web").region("fra1").size(size).image("ubuntu-24-04-x64")
        .addTags("potions").build();
  }

  @Test
  void aRefusedTokenSaysToCheckTheTokenAndNeverShowsIt() {
    String wrong = "dop_v1_0123456789abcdef0123456789abcdef";
    DigitalOceanClient bad = DigitalOceanClient.builder().token(Secret.of(wrong)).baseUri(sim.baseUri()).build();

    AuthenticationFailedException e = catchThrowableOfType(AuthenticationFailedException.class, bad::account);

    assertThat(e.status()).isEqualTo(401);
    assertThat(e.errorId()).contains("Unauthorized");
    assertThat(e.requestId()).isPresent();
    assertThat(e.getMessage()).contains("GET /v2/account", "Unable to authenticate you", "DIGITALOCEAN_TOKEN",
        "scope", e.requestId().get());
    assertThat(e.getMessage() + e + bad).doesNotContain(wrong);
    assertThat(sim.count("GET", "/v2/account")).isEqualTo(1); // not retried
  }

  @Test
  void aForbiddenCallSaysWhichScopesAreNeeded() {
    sim.failNext("GET", "/v2/firewalls", 1, error(403, "forbidden", "You are not authorized to perform this operation"));

    // 403 (the token's scopes) is told apart from 401 (the token itself).
    assertThatThrownBy(client::firewalls).isInstanceOf(PermissionDeniedException.class)
        .hasMessageContaining("scopes").hasMessageContaining("firewall");
  }

  @Test
  void anUnprocessableCreatePassesDigitalOceansExplanationOn() {
    RequestRejectedException e = catchThrowableOfType(RequestRejectedException.class,
        () -> client.createDroplet(droplet("s-99vcpu-1tb")));

    assertThat(e.status()).isEqualTo(422);
    assertThat(e.errorId()).contains("unprocessable_entity");
    assertThat(e.getMessage()).contains("POST /v2/droplets", "You specified an invalid size for Droplet creation.",
        e.requestId().orElseThrow());
    assertThat(sim.count("POST", "/v2/droplets")).isEqualTo(1);
  }

  @Test
  void aRateLimitIsWaitedOutAsRetryAfterAsks() {
    sim.failNext("GET", "/v2/account", 2, rateLimited(2));

    assertThat(client.account().isActive()).isTrue();

    assertThat(sim.count("GET", "/v2/account")).isEqualTo(3);
    assertThat(time.sleeps()).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(2));
  }

  @Test
  void ratelimitResetBoundsTheWaitWhenItIsSooner() {
    long reset = time.instant().getEpochSecond() + 5;
    sim.failNext("GET", "/v2/account", 1, rateLimited(300, reset));

    client.account();

    assertThat(time.sleeps()).singleElement().satisfies(d ->
        assertThat(d).isBetween(Duration.ofSeconds(4), Duration.ofSeconds(5)));
  }

  @Test
  void aRateLimitedCreateIsRepeatedBecauseDigitalOceanRefusedIt() {
    sim.failNext("POST", "/v2/droplets", 1, rateLimited(1));

    client.createDroplet(droplet("s-1vcpu-1gb"));

    assertThat(sim.count("POST", "/v2/droplets")).isEqualTo(2);
    assertThat(sim.createdDroplets()).hasSize(1);
  }

  @Test
  void aWaitLongerThanTheBoundFailsAtOnce() {
    DigitalOceanClient bounded = builder().maxRateLimitWait(Duration.ofSeconds(10)).build();
    sim.failNext("GET", "/v2/account", 1, rateLimited(120, time.instant().getEpochSecond() + 3600));

    RateLimitedException e = catchThrowableOfType(RateLimitedException.class, bounded::account);

    assertThat(e.retryAfter()).contains(Duration.ofSeconds(120));
    assertThat(e.getMessage()).contains("120 s", "10 s", "maxRateLimitWait", "API Rate limit exceeded.");
    assertThat(sim.count("GET", "/v2/account")).isEqualTo(1);
    assertThat(time.sleeps()).isEmpty();
  }

  @Test
  void aLastingRateLimitEndsInRateLimitedAfterTheAttempts() {
    sim.failNext("GET", "/v2/account", 10, rateLimited(1));

    assertThatThrownBy(client::account).isInstanceOf(RateLimitedException.class);

    assertThat(sim.count("GET", "/v2/account")).isEqualTo(4);
    assertThat(time.slept()).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void serverErrorsAreRetriedWithBackoffForReads() {
    long id = sim.addDroplet("web", "potions");
    sim.failNext("GET", "/v2/droplets/\\d+", 3, serverError(503));

    assertThat(client.droplet(id)).isPresent();

    assertThat(sim.count("GET", "/v2/droplets/\\d+")).isEqualTo(4);
    assertThat(time.sleeps()).containsExactly(Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2));
  }

  @Test
  void serverErrorsAreRetriedForDeletes() {
    long id = sim.addDroplet("web", "potions");
    sim.failNext("DELETE", "/v2/droplets/\\d+", 1, serverError(502));

    assertThat(client.deleteDroplet(id)).isTrue();
    assertThat(sim.droplets()).isEmpty();
  }

  @Test
  void aServerErrorOnCreateIsNeverRetried() {
    sim.failNext("POST", "/v2/droplets", 1, serverError(500));

    ServerErrorException e = catchThrowableOfType(ServerErrorException.class,
        () -> client.createDroplet(droplet("s-1vcpu-1gb")));

    assertThat(e.status()).isEqualTo(500);
    assertThat(e.getMessage()).contains("POST /v2/droplets", "Server Error");
    assertThat(sim.count("POST", "/v2/droplets")).isEqualTo(1);
    assertThat(time.sleeps()).isEmpty();
  }

  @Test
  void lastingServerErrorsEndAfterTheAttempts() {
    sim.failNext("GET", "/v2/regions", 10, serverError(500));

    assertThatThrownBy(client::regions).isInstanceOf(ServerErrorException.class);
    assertThat(sim.count("GET", "/v2/regions")).isEqualTo(4);
  }

  @Test
  void aReadThatTimesOutIsRetried() {
    DigitalOceanClient quick = builder().callTimeout(Duration.ofMillis(300)).build();
    sim.failNext("GET", "/v2/account", 1, stalled(Duration.ofSeconds(3)));

    assertThat(quick.account().isActive()).isTrue();
    assertThat(sim.count("GET", "/v2/account")).isEqualTo(2);
  }

  @Test
  void aCreateThatTimesOutIsNotRetried() {
    DigitalOceanClient quick = builder().callTimeout(Duration.ofMillis(300)).build();
    sim.failNext("POST", "/v2/droplets", 1, stalled(Duration.ofSeconds(3)));

    ApiUnreachableException e = catchThrowableOfType(ApiUnreachableException.class,
        () -> quick.createDroplet(droplet("s-1vcpu-1gb")));

    assertThat(e.timedOut()).isTrue();
    assertThat(e.getMessage()).contains("POST /v2/droplets", "300 ms");
    assertThat(sim.count("POST", "/v2/droplets")).isEqualTo(1);
  }

  @Test
  void aDroppedConnectionIsRetriedForReads() {
    sim.failNext("GET", "/v2/sizes", 1, connectionReset());

    assertThat(client.sizes()).isNotEmpty();
    assertThat(sim.count("GET", "/v2/sizes")).isEqualTo(2);
  }

  @Test
  void anUnreachableApiIsReportedAfterTheAttempts() {
    DigitalOceanClient nowhere = builder().baseUri(URI.create("http://127.0.0.1:1")).build();

    ApiUnreachableException e = catchThrowableOfType(ApiUnreachableException.class, nowhere::account);

    assertThat(e.timedOut()).isFalse();
    assertThat(e.status()).isZero();
    assertThat(e.getMessage()).contains("Could not reach", "127.0.0.1:1");
    assertThat(time.sleeps()).hasSize(3);
  }

  @Test
  void theTokenNeverReachesLogsNorMessages() {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    StringBuilder messages = new StringBuilder();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      DigitalOceanClient quick = builder().callTimeout(Duration.ofMillis(300)).build();
      sim.failNext("GET", "/v2/account", 2, rateLimited(1));
      sim.failNext("GET", "/v2/regions", 1, serverError(503));
      sim.failNext("GET", "/v2/sizes", 1, stalled(Duration.ofSeconds(2)));
      sim.failNext("GET", "/v2/firewalls", 5, serverError(500));
      quick.account();
      quick.regions();
      quick.sizes();
      messages.append(quick).append('\n');
      for (Runnable failing : new Runnable[] {
          quick::firewalls,
          () -> quick.createDroplet(droplet("nope")),
          () -> DigitalOceanClient.builder().token(Secret.of(sim.token() + "x")).baseUri(sim.baseUri()).build().account()}) {
        try {
          failing.run();
        } catch (HttpApiException e) {
          messages.append(e).append('\n');
        }
      }
    } finally {
      System.setErr(original);
    }
    String logs = captured.toString(StandardCharsets.UTF_8);
    assertThat(logs).contains("Retrying a DigitalOcean call").contains("GET /v2/account -> 429");
    assertThat(messages.toString()).contains("invalid size", "Unable to authenticate you", "Server Error");
    assertThat(logs + messages).doesNotContain(sim.token());
  }
}
