package io.potions.e2e.github;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.potions.Potions;
import io.potions.Server;
import io.potions.app.App;
import io.potions.app.AppSettings;
import io.potions.app.Deployment;
import io.potions.app.HealthCheck;
import io.potions.contract.Direction;
import io.potions.contract.OpenApiContract;
import io.potions.github.GitHubAuth;
import io.potions.github.GitHubClient;
import io.potions.github.GitHubSource;
import io.potions.github.git.GitHttpServer;
import io.potions.github.sim.GitHubSimulation;
import io.potions.github.sim.PushEvents;
import io.potions.github.webhook.WebhookHandler;
import io.potions.github.webhook.WebhookServer;
import io.potions.secret.Secret;
import io.potions.testkit.HttpProbe;
import io.potions.testkit.RequiresDocker;
import io.potions.testkit.SampleRepository;
import io.potions.testkit.ThrowawayServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.transport.RefSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Auto-deploy on push, end to end: a signed GitHub push event, delivered over HTTP to the built-in
 * webhook endpoint, deploys the pushed commit of the sample Elixir app to a real provisioned server.
 * The commit comes from a token-protected git smart-HTTP server (fetched with a GitHub App
 * installation token exchanged for a real RS256 JWT), the deploy goes through the server's queue,
 * Caddy serves the new release, and GitHub (on WireMock, checked against its published API
 * description) ends with a successful commit status and deployment status.
 */
@ExtendWith(RequiresDocker.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GitHubPushDeployE2ETest {
  private static final String REPO = "octo-org/shop";
  private static final String DOMAIN = "shop.test";
  private static final String ZERO = "0000000000000000000000000000000000000000";
  private static final Secret WEBHOOK_SECRET = Secret.of("e2e-webhook-secret-" + System.nanoTime());

  private Path tmp;
  private GitHubSimulation github;
  private GitHttpServer gitServer;
  private Git work;
  private ThrowawayServer box;
  private Potions potions;
  private WebhookServer endpoint;
  private final List<CompletableFuture<?>> queued = new CopyOnWriteArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private OpenApiContract contract;
  private String first;

  @BeforeAll
  void start() throws Exception {
    tmp = Files.createTempDirectory("potions-e2e-github-");
    contract = OpenApiContract.github();
    Path bare = tmp.resolve("git").resolve(REPO + ".git");
    Files.createDirectories(bare.getParent());
    Git.init().setBare(true).setDirectory(bare.toFile()).setInitialBranch("main").call().close();
    github = new GitHubSimulation(contract).addRepository(REPO, bare).start();
    SampleRepository.copy(SampleRepository.sampleAppSources(), tmp.resolve("work"));
    work = Git.init().setDirectory(tmp.resolve("work").toFile()).setInitialBranch("main").call();
    work.getRepository().getConfig().setString("remote", "origin", "url", bare.toUri().toString());
    work.getRepository().getConfig().save();
    gitServer = new GitHttpServer(tmp.resolve("git"), github::accepts);

    box = ThrowawayServer.provisioned();
    box.start();
    potions = Potions.builder().build();
    Server server = potions.existingServer("github-box", box.sshTarget()).provision();

    GitHubClient client = GitHubClient.builder()
        .auth(GitHubAuth.app(github.appId(), github.appKey().getPrivate(), github.installationId()))
        .apiUri(github.baseUri())
        .build();
    GitHubSource source = GitHubSource.builder(client, REPO)
        .gitUri(gitServer.baseUri())
        .cacheDir(tmp.resolve("cache"))
        .environmentUrl("http://" + DOMAIN)
        .build();
    App app = server.app("shop").withSource(source);
    app.create(AppSettings.builder().addDomains(DOMAIN).https(false)
        .migrationCommand("PotionsSample.Release.migrate()")
        .healthCheck(HealthCheck.builder().deadline(Duration.ofSeconds(30)).build())
        .build());

    WebhookHandler hooks = WebhookHandler.builder(WEBHOOK_SECRET)
        .listener((rule, commit, deployment) -> queued.add(deployment))
        .build();
    hooks.autoDeploy(app, REPO, "main");
    endpoint = WebhookServer.builder(hooks).bindAddress("127.0.0.1").port(0).start();
  }

  @AfterAll
  void stop() {
    if (endpoint != null) {
      endpoint.close();
    }
    if (potions != null) {
      potions.close();
    }
    if (box != null) {
      box.stop();
    }
    if (gitServer != null) {
      gitServer.close();
    }
    if (github != null) {
      github.close();
    }
    if (work != null) {
      work.close();
    }
  }

  @Test
  @Order(1)
  void aSignedPushToMainDeploysThatCommitAndGitHubShowsItLive() throws Exception {
    first = commitAndPush("v1: the sample app");
    ObjectNode push = PushEvents.push(REPO, "refs/heads/main", ZERO, first, "v1: the sample app");
    assertThat(schemaErrors("webhook-push", push)).isEmpty();

    long t0 = System.nanoTime();
    HttpResponse<String> answer = deliver(PushEvents.signed("push", push, WEBHOOK_SECRET));
    long answeredMs = (System.nanoTime() - t0) / 1_000_000;

    assertThat(answer.statusCode()).isEqualTo(202);
    assertThat(answer.body()).contains("queued deploy of " + first.substring(0, 7) + " to shop");
    assertThat(answeredMs).isLessThan(2_000);
    assertThat(queued).hasSize(1);
    Deployment d = (Deployment) queued.get(0).get(10, TimeUnit.MINUTES);
    long deployedMs = (System.nanoTime() - t0) / 1_000_000;
    System.out.printf("github.push_to_live: webhook answered in %d ms, deploy %s live after %d ms (stages %s)%n",
        answeredMs, d.commit().substring(0, 7), deployedMs, d.stages());

    assertThat(d.succeeded()).as(String.valueOf(d)).isTrue();
    assertThat(d.commit()).isEqualTo(first);
    assertThat(d.ref()).isEqualTo("main");
    assertThat(get("/version")).isEqualTo("0.1.0");
    assertThat(github.issuedTokens()).hasSizeGreaterThanOrEqualTo(1);
    assertThat(gitServer.refused()).isLessThanOrEqualTo(1); // only JGit's anonymous probe
    assertThat(statesOf("commit", first)).containsExactly("pending", "success");
    assertThat(statesOf("deployment", first)).containsExactly("in_progress", "success");
    assertThat(github.contractViolations()).isEmpty();
  }

  @Test
  @Order(2)
  void aRedeliveredPushDeploysOnceAndOtherBranchesAndForgeriesDoNothing() throws Exception {
    writeFile("VERSION", "0.2.0\n");
    String second = commitAndPush("version 0.2.0");
    PushEvents.Delivery delivery = PushEvents.signed("push",
        PushEvents.push(REPO, "refs/heads/main", first, second, "version 0.2.0"), WEBHOOK_SECRET);

    assertThat(deliver(delivery.with("X-Hub-Signature-256", "sha256=" + "00".repeat(32))).statusCode()).isEqualTo(401);
    assertThat(deliver(PushEvents.signed("push",
        PushEvents.push(REPO, "refs/heads/experiment", ZERO, second, "elsewhere"), WEBHOOK_SECRET)).statusCode())
        .isEqualTo(200);
    assertThat(deliver(PushEvents.signed("ping", PushEvents.ping(REPO), WEBHOOK_SECRET)).body()).contains("pong");
    assertThat(queued).hasSize(1);

    assertThat(deliver(delivery).statusCode()).isEqualTo(202);
    HttpResponse<String> again = deliver(delivery);
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.body()).startsWith("duplicate delivery");
    assertThat(queued).hasSize(2);

    Deployment d = (Deployment) queued.get(1).get(10, TimeUnit.MINUTES);
    System.out.printf("github.second_deploy: %s sent %d bytes (first deploy's history excluded), stages %s%n",
        d.commit().substring(0, 7), d.bytesSent(), d.stages());
    assertThat(d.succeeded()).as(String.valueOf(d)).isTrue();
    assertThat(get("/version")).isEqualTo("0.2.0");
    assertThat(statesOf("commit", second)).containsExactly("pending", "success");
    assertThat(statesOf("deployment", second)).containsExactly("in_progress", "success");
    assertThat(statusShas()).containsOnly(first, second);
    assertThat(github.contractViolations()).isEmpty();
  }

  // ---------------------------------------------------------------- helpers

  /** The states GitHub recorded for a commit's statuses ("commit") or its deployments' statuses ("deployment"), in order. */
  private List<String> statesOf(String kind, String sha) {
    if (kind.equals("commit")) {
      return github.commitStatuses().stream().filter(s -> s.sha().equals(sha))
          .map(GitHubSimulation.CommitStatus::state).toList();
    }
    List<Long> deployments = github.deployments().stream().filter(d -> d.ref().equals(sha))
        .map(GitHubSimulation.Deployment::id).toList();
    return github.deploymentStatuses().stream().filter(s -> deployments.contains(s.deploymentId()))
        .map(GitHubSimulation.DeploymentStatus::state).toList();
  }

  /** The commits every recorded commit status and deployment status is about. */
  private List<String> statusShas() {
    List<String> shas = new java.util.ArrayList<>();
    github.commitStatuses().forEach(s -> shas.add(s.sha()));
    github.deploymentStatuses().forEach(s -> github.deployments().stream()
        .filter(d -> d.id() == s.deploymentId()).forEach(d -> shas.add(d.ref())));
    return shas;
  }

  private List<String> schemaErrors(String component, ObjectNode payload) {
    return contract.validateComponent(component, payload.toString(), Direction.REQUEST);
  }

  private HttpResponse<String> deliver(PushEvents.Delivery d) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + "/github/webhook"))
        .timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofByteArray(d.body()));
    for (Map.Entry<String, List<String>> h : d.headers().entrySet()) {
      if (!h.getKey().equalsIgnoreCase("User-Agent")) {
        b.header(h.getKey(), h.getValue().get(0));
      }
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private String commitAndPush(String message) throws Exception {
    work.add().addFilepattern(".").call();
    PersonIdent me = new PersonIdent("Mona Lisa", "mona@example.com");
    String sha = work.commit().setMessage(message).setAuthor(me).setCommitter(me).call().getName();
    work.push().setRemote("origin").setRefSpecs(new RefSpec("refs/heads/main:refs/heads/main")).call();
    return sha;
  }

  private void writeFile(String path, String content) throws IOException {
    Files.writeString(tmp.resolve("work").resolve(path), content);
  }

  /** One GET through Caddy with the app's Host header, on a fresh connection. */
  private String get(String path) throws IOException {
    HttpProbe.Response response = HttpProbe.send("127.0.0.1", box.httpPort(), DOMAIN, "GET", path, null);
    assertThat(response.status()).isEqualTo(200);
    return response.body();
  }

}
