package io.potions.github;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.potions.InvalidInputException;
import io.potions.github.git.TestRepo;
import io.potions.github.sim.GitHubSimulation;
import io.potions.http.ApiUnreachableException;
import io.potions.http.AuthenticationFailedException;
import io.potions.http.HttpApiException;
import io.potions.http.PermissionDeniedException;
import io.potions.http.RateLimitedException;
import io.potions.http.ResourceNotFoundException;
import io.potions.http.ServerErrorException;
import io.potions.secret.Secret;
import io.potions.source.UnknownRefException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The REST client: lists, resolution, errors, rate limits, retries and timeouts. */
class GitHubClientTest {
  @RegisterExtension static final GitHubSimulation sim = new GitHubSimulation();
  private static final String PAT = "github_pat_11ABCDEFG0_sim";

  private Fixture f;

  @BeforeEach
  void setUp() {
    f = new Fixture(sim);
    sim.acceptPersonalToken(PAT);
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  @Test
  void listsEveryRepositoryOfTheInstallationAcrossPages() {
    for (int i = 1; i <= 4; i++) {
      sim.addRepository("octo-org/extra-" + i, f.repo.bare);
    }
    sim.maxPageSize(2);

    List<GitHubRepository> repos = f.appClient().installationRepositories();

    assertThat(repos).extracting(GitHubRepository::fullName).contains(Fixture.REPO, "octo-org/extra-4")
        .doesNotHaveDuplicates().hasSizeGreaterThanOrEqualTo(5);
    assertThat(sim.count("GET", "/installation/repositories")).isEqualTo((repos.size() + 1) / 2);
    assertThat(repos.get(0).defaultBranch()).isEqualTo("main");
  }

  @Test
  void resolvesBranchesTagsAndShas() {
    TestRepo repo = f.repo;
    String first = repo.head();
    repo.tag("v1.0.0");
    repo.branch("feature/login");
    String feature = repo.commit("login.ex", "defmodule Login do\nend\n", "Add login\n\nWith a body.");
    GitHubClient client = f.patClient(PAT);

    assertThat(client.commit(Fixture.REPO, "main").sha()).isEqualTo(first);
    assertThat(client.commit(Fixture.REPO, "v1.0.0").sha()).isEqualTo(first);
    assertThat(client.commit(Fixture.REPO, first.substring(0, 9)).sha()).isEqualTo(first);
    GitHubCommit c = client.commit(Fixture.REPO, "feature/login");
    assertThat(c.sha()).isEqualTo(feature);
    assertThat(c.subject()).isEqualTo("Add login");
    assertThat(c.authorName()).isEqualTo("Mona Lisa");
    assertThat(client.branch(Fixture.REPO, "feature/login").sha()).isEqualTo(feature);
    assertThat(sim.exchanges()).anySatisfy(e -> assertThat(e.path()).endsWith("/commits/feature%2Flogin"));
  }

  @Test
  void anUnknownRefAndAnUnknownRepositoryAreTold() {
    GitHubClient client = f.patClient(PAT);

    assertThatThrownBy(() -> client.commit(Fixture.REPO, "nope")).isInstanceOf(UnknownRefException.class)
        .hasMessageContaining("'nope'").hasMessageContaining(Fixture.REPO);
    assertThatThrownBy(() -> client.branch(Fixture.REPO, "nope")).isInstanceOf(UnknownRefException.class);
    assertThatThrownBy(() -> client.commit("octo-org/secret", "main")).isInstanceOf(ResourceNotFoundException.class)
        .hasMessageContaining("octo-org/secret was not found, or is not accessible to the token");
    assertThatThrownBy(() -> f.appClient().repository("octo-org/secret"))
        .hasMessageContaining("not accessible to the app's installation " + sim.installationId());
    assertThatThrownBy(() -> client.commit("not a repo", "main")).isInstanceOf(InvalidInputException.class);
  }

  @Test
  void aRefusedTokenSaysWhatToCheckWithoutShowingIt() {
    String bad = "github_pat_revoked_0000";
    assertThatThrownBy(() -> f.patClient(bad).repository(Fixture.REPO))
        .isInstanceOf(AuthenticationFailedException.class)
        .hasMessageContaining("personal access token").hasMessageContaining("401 Bad credentials")
        .hasMessageNotContaining(bad)
        .satisfies(e -> assertThat(((HttpApiException) e).requestId()).get().asString().startsWith("SIM:"));
    assertThat(f.patClient(bad).toString()).doesNotContain(bad);
  }

  @Test
  void aSecondaryRateLimitIsWaitedOutAsAsked() {
    sim.failNext("GET", "/repos/.*", 2, GitHubSimulation.rateLimited(403, 7, 4000, 0));

    assertThat(f.patClient(PAT).repository(Fixture.REPO).fullName()).isEqualTo(Fixture.REPO);

    assertThat(f.sleeps).containsExactly(Duration.ofSeconds(7), Duration.ofSeconds(7));
  }

  @Test
  void aRateLimitedPostIsRepeatedBecauseNothingHappened() {
    sim.failNext("POST", "/repos/.*/deployments", 1, GitHubSimulation.rateLimited(429, 2, 4000, 0));

    long id = f.patClient(PAT).createDeployment(Fixture.REPO, f.repo.head(), "production", "x");

    assertThat(id).isPositive();
    assertThat(f.sleeps).containsExactly(Duration.ofSeconds(2));
    assertThat(sim.deployments()).hasSize(1);
  }

  @Test
  void anExhaustedPrimaryLimitWaitsUntilItsReset() {
    long reset = f.clock.instant().plusSeconds(30).getEpochSecond();
    sim.failNext("GET", "/repos/.*", 1, GitHubSimulation.rateLimited(403, -1, 0, reset));

    f.patClient(PAT).repository(Fixture.REPO);

    assertThat(f.sleeps).singleElement().satisfies(d -> assertThat(d).isBetween(Duration.ofSeconds(29), Duration.ofSeconds(32)));
  }

  @Test
  void aWaitBeyondTheBoundFailsAtOnce() {
    sim.failNext("GET", "/repos/.*", 1, GitHubSimulation.rateLimited(429, 3600, 4000, 0));
    GitHubClient client = f.client(GitHubAuth.personalAccessToken(Secret.of(PAT)))
        .maxRateLimitWait(Duration.ofSeconds(90)).build();

    assertThatThrownBy(() -> client.repository(Fixture.REPO))
        .isInstanceOf(RateLimitedException.class)
        .hasMessageContaining("3600 s").hasMessageContaining("at most 90 s")
        .satisfies(e -> assertThat(((RateLimitedException) e).retryAfter()).contains(Duration.ofHours(1)));
    assertThat(f.sleeps).isEmpty();
  }

  @Test
  void rateLimitHeadersAreKept() {
    GitHubClient client = f.patClient(PAT);
    assertThat(client.rateLimit()).isEmpty();

    client.repository(Fixture.REPO);

    RateLimit limit = client.rateLimit().orElseThrow();
    assertThat(limit.limit()).isEqualTo(5000);
    assertThat(limit.remaining()).isBetween(1L, 4999L);
    assertThat(limit.used()).isEqualTo(5000 - limit.remaining());
    assertThat(limit.reset()).isAfter(Instant.now());
    assertThat(limit.resource()).isEqualTo("core");
  }

  @Test
  void serverErrorsAreRetriedOnlyWhenRepeatingIsSafe() {
    sim.failNext("GET", "/repos/.*", 2, aResponse().withStatus(502).withHeader("Content-Type", "application/json")
        .withBody("{\"message\":\"Server Error\"}"));
    assertThat(f.patClient(PAT).repository(Fixture.REPO).fullName()).isEqualTo(Fixture.REPO);
    assertThat(f.sleeps).containsExactly(Duration.ofMillis(500), Duration.ofSeconds(1));

    sim.failNext("POST", "/repos/.*/deployments", 1, aResponse().withStatus(503)
        .withHeader("Content-Type", "application/json").withBody("{\"message\":\"Service Unavailable\"}"));
    assertThatThrownBy(() -> f.patClient(PAT).createDeployment(Fixture.REPO, f.repo.head(), "production", null))
        .isInstanceOf(ServerErrorException.class).hasMessageContaining("503");
    assertThat(sim.count("POST", ".*/deployments")).isEqualTo(1);
  }

  @Test
  void everyCallHasATimeout() {
    sim.failNext("GET", "/repos/.*", 5, aResponse().withStatus(503).withFixedDelay(1500)
        .withHeader("Content-Type", "application/json").withBody("{\"message\":\"too slow\"}"));
    GitHubClient client = f.client(GitHubAuth.personalAccessToken(Secret.of(PAT)))
        .callTimeout(Duration.ofMillis(250)).maxAttempts(2).build();

    long start = System.nanoTime();
    assertThatThrownBy(() -> client.repository(Fixture.REPO))
        .isInstanceOf(ApiUnreachableException.class).hasMessageContaining("did not answer")
        .hasMessageContaining("250 ms");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    sim.wireMock().resetRequests();
  }

  @Test
  void aPermissionRefusalIsNotARateLimit() {
    sim.failNext("POST", "/repos/.*/statuses/.*", 1, aResponse().withStatus(403)
        .withHeader("Content-Type", "application/json").withHeader("x-ratelimit-remaining", "4990")
        .withBody("{\"message\":\"Resource not accessible by integration\",\"documentation_url\":\"https://docs.github.com/rest\"}"));

    assertThatThrownBy(() -> f.appClient().createCommitStatus(Fixture.REPO, f.repo.head(), "pending", "potions", "x", null))
        .isInstanceOf(PermissionDeniedException.class)
        .hasMessageContaining("Resource not accessible by integration").hasMessageContaining("Commit statuses");
    assertThat(f.sleeps).isEmpty();
  }

  @Test
  void statusesDeploymentsAndWebhooksAreCreated() {
    GitHubClient client = f.patClient(PAT);
    String sha = f.repo.head();

    client.createCommitStatus(Fixture.REPO, sha, "success", "potions/production", "x".repeat(200), "https://shop.test");
    long id = client.createDeployment(Fixture.REPO, sha, "staging", "Deploying");
    client.createDeploymentStatus(Fixture.REPO, id, "success", "Live", "https://shop.test", null);
    Secret hookSecret = Secret.of("hook-secret-123456");
    long hook = client.createWebhook(Fixture.REPO, URI.create("https://potions.example.com/github/webhook"), hookSecret,
        List.of("push"));

    assertThat(sim.commitStatuses()).singleElement().satisfies(s -> {
      assertThat(s.state()).isEqualTo("success");
      assertThat(s.description()).hasSize(140);
      assertThat(s.targetUrl()).isEqualTo("https://shop.test");
    });
    assertThat(sim.deployments()).singleElement().satisfies(d -> {
      assertThat(d.environment()).isEqualTo("staging");
      assertThat(d.request().path("required_contexts").isEmpty()).isTrue();
      assertThat(d.request().path("auto_merge").asBoolean(true)).isFalse();
    });
    assertThat(sim.deploymentStatuses()).singleElement().satisfies(s -> assertThat(s.deploymentId()).isEqualTo(id));
    assertThat(hook).isPositive();
    assertThatThrownBy(() -> client.createCommitStatus(Fixture.REPO, sha, "done", "c", null, null))
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> client.createCommitStatus(Fixture.REPO, "main", "success", "c", null, null))
        .isInstanceOf(InvalidInputException.class);
  }
}
