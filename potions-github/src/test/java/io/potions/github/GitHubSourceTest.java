package io.potions.github;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.potions.github.git.GitHttpServer;
import io.potions.github.sim.GitHubSimulation;
import io.potions.http.AuthenticationFailedException;
import io.potions.http.ResourceNotFoundException;
import io.potions.source.SourceCommit;
import io.potions.source.UnknownRefException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.TransportException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The source host: resolve through the API, fetch with git over HTTPS with the token, report deploys. */
class GitHubSourceTest {
  @RegisterExtension static final GitHubSimulation sim = new GitHubSimulation();
  private static final String PAT = "github_pat_source_test";

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
  void resolveFetchesTheCommitWithTheInstallationTokenAndBundlesIt() throws Exception {
    f.repo.commit(".tool-versions", "erlang 27.2\nelixir 1.18.1-otp-27\n", "Pin runtimes");
    GitHubSource source = f.source(f.appClient()).build();

    SourceCommit commit = source.resolve("main");

    assertThat(commit.sha()).isEqualTo(f.repo.head());
    assertThat(commit.ref()).isEqualTo("main");
    assertThat(commit.message()).isEqualTo("Pin runtimes");
    assertThat(commit.author()).isEqualTo("Mona Lisa");
    assertThat(source.readFile(commit, ".tool-versions")).contains("erlang 27.2\nelixir 1.18.1-otp-27\n");
    assertThat(bundleHeads(source, commit, List.of())).contains(commit.sha() + " refs/potions/deploy");
    assertThat(f.git.requests()).filteredOn(r -> r.status() == 200).isNotEmpty()
        .allSatisfy(r -> assertThat(r.user()).isEqualTo("x-access-token"));
    assertThat(f.git.refused()).isLessThanOrEqualTo(1); // JGit's first, anonymous probe
    assertThat(source.describe()).isEqualTo("GitHub " + Fixture.REPO + " on 127.0.0.1");
  }

  @Test
  void laterFetchesAndBundlesCarryOnlyWhatChanged() throws Exception {
    java.util.Random random = new java.util.Random(42);
    for (int i = 0; i < 10; i++) {
      StringBuilder body = new StringBuilder();
      for (int line = 0; line < 200; line++) {
        body.append("  @v").append(line).append(" \"").append(Long.toHexString(random.nextLong())).append("\"\n");
      }
      f.repo.commit("lib/module_" + i + ".ex", "defmodule M" + i + " do\n" + body + "end\n", "module " + i);
    }
    GitHubSource source = f.source(f.patClient(PAT)).build();
    SourceCommit first = source.resolve("main");
    long firstBytes = uploadPackBytes(f.git);
    f.git.clear();
    f.repo.commit("VERSION", "0.2.0\n", "version 0.2.0");

    SourceCommit second = source.resolve("main");
    long secondBytes = uploadPackBytes(f.git);

    assertThat(second.sha()).isNotEqualTo(first.sha());
    assertThat(secondBytes).isPositive().isLessThan(firstBytes / 5);
    long full = bundle(source, second, List.of()).length;
    long thin = bundle(source, second, List.of(first.sha())).length;
    assertThat(thin).isLessThan(full / 5);
    System.out.printf("git fetch: first %d bytes, incremental %d bytes; bundle full %d bytes, thin %d bytes%n",
        firstBytes, secondBytes, full, thin);
  }

  @Test
  void aPushedCommitIsFetchedWhenTheDeployNeedsIt() throws Exception {
    GitHubSource source = f.source(f.appClient()).build();
    source.resolve("main");
    String pushed = f.repo.commit("VERSION", "0.3.0\n", "version 0.3.0");

    SourceCommit fromWebhook = new SourceCommit(pushed, "main", "version 0.3.0", "Mona Lisa");

    assertThat(source.readFile(fromWebhook, "VERSION")).contains("0.3.0\n");
    assertThat(bundleHeads(source, fromWebhook, List.of())).contains(pushed + " refs/potions/deploy");
    SourceCommit unknown = new SourceCommit("0123456789abcdef0123456789abcdef01234567", "main", "", "");
    assertThatThrownBy(() -> source.writeBundle(unknown, List.of(), new ByteArrayOutputStream()))
        .isInstanceOf(UnknownRefException.class).hasMessageContaining("not on any branch or tag");
  }

  @Test
  void ancestryIsAnsweredFromTheMirrorFetchingWhatItLacks() {
    String a = f.repo.head();
    GitHubSource source = f.source(f.patClient(PAT)).build();
    source.resolve("main");
    String b = f.repo.commit("VERSION", "0.4.0\n", "version 0.4.0"); // pushed after the mirror's last fetch

    assertThat(source.isAncestor(a, b)).isTrue();
    assertThat(source.isAncestor(b, a)).isFalse();
    assertThat(source.isAncestor("0123456789abcdef0123456789abcdef01234567", b)).isFalse(); // on no branch
    assertThat(source.isAncestor("main", b)).isFalse();
  }

  @Test
  void resolvesTagsShasAndRefusesUnknownRefs() {
    f.repo.tag("v1.0.0");
    String tagged = f.repo.head();
    f.repo.commit("VERSION", "1.1.0\n", "next");
    GitHubSource source = f.source(f.patClient(PAT)).build();

    assertThat(source.resolve("v1.0.0").sha()).isEqualTo(tagged);
    assertThat(source.resolve(tagged.substring(0, 8)).sha()).isEqualTo(tagged);
    assertThatThrownBy(() -> source.resolve("no-such-branch")).isInstanceOf(UnknownRefException.class)
        .hasMessageContaining("no-such-branch");
    assertThatThrownBy(() -> source.resolve("--upload-pack=evil")).isInstanceOf(io.potions.InvalidInputException.class);
  }

  @Test
  void gitRefusesAWrongTokenAndTheFetchFailsClearly() {
    GitHubSource source = f.source(f.patClient("github_pat_wrong_for_git")).build();
    SourceCommit commit = new SourceCommit(f.repo.head(), "main", "", "");

    assertThatThrownBy(() -> source.writeBundle(commit, List.of(), new ByteArrayOutputStream()))
        .isInstanceOf(AuthenticationFailedException.class)
        .hasMessageContaining("git over HTTPS refused the personal access token")
        .hasMessageContaining("401")
        .hasMessageNotContaining("github_pat_wrong_for_git");
    assertThat(f.git.refused()).isPositive();
    assertThat(f.git.requests()).noneMatch(r -> r.status() == 200);
  }

  @Test
  void aRepositoryGitCannotFindIsNotFound() {
    GitHubSource ghost = GitHubSource.builder(f.patClient(PAT), "octo-org/ghost").gitUri(f.git.baseUri())
        .cacheDir(f.dir.resolve("cache")).build();

    assertThatThrownBy(() -> ghost.readFile(new SourceCommit(f.repo.head(), "main", "", ""), "README.md"))
        .isInstanceOf(ResourceNotFoundException.class)
        .hasMessageContaining("git found no repository at " + f.git.baseUri() + "/octo-org/ghost.git");
  }

  @Test
  void gitRequiresAToken() {
    assertThatThrownBy(() -> Git.lsRemoteRepository().setRemote(f.git.baseUri() + "/" + Fixture.REPO + ".git").call())
        .isInstanceOf(TransportException.class).hasMessageContaining("Authentication is required");
  }

  @Test
  void aRevokedInstallationTokenIsReplacedForGitToo() {
    GitHubSource source = f.source(f.appClient()).build();
    source.resolve("main");
    sim.revokeInstallationTokens();
    String pushed = f.repo.commit("VERSION", "0.4.0\n", "version 0.4.0");

    assertThat(source.readFile(new SourceCommit(pushed, "main", "", ""), "VERSION")).contains("0.4.0\n");
    assertThat(sim.issuedTokens()).hasSize(2);
  }

  @Test
  void deploysAreReportedAsCommitStatusesAndDeployments() {
    GitHubSource source = f.source(f.appClient()).environmentUrl("https://shop.example.com").build();
    SourceCommit commit = source.resolve("main");

    source.reportDeployment(commit, "in_progress", "Potions is deploying " + commit.shortSha());
    source.reportDeployment(commit, "success", "Live on shop.example.com");

    assertThat(sim.commitStatuses()).extracting(GitHubSimulation.CommitStatus::state).containsExactly("pending", "success");
    assertThat(sim.commitStatuses()).allSatisfy(s -> {
      assertThat(s.sha()).isEqualTo(commit.sha());
      assertThat(s.context()).isEqualTo("potions/production");
      assertThat(s.targetUrl()).isEqualTo("https://shop.example.com");
    });
    assertThat(sim.deployments()).singleElement().satisfies(d -> {
      assertThat(d.ref()).isEqualTo(commit.sha());
      assertThat(d.environment()).isEqualTo("production");
    });
    long id = sim.deployments().get(0).id();
    assertThat(sim.deploymentStatuses()).extracting(GitHubSimulation.DeploymentStatus::state)
        .containsExactly("in_progress", "success");
    assertThat(sim.deploymentStatuses()).allSatisfy(s -> assertThat(s.deploymentId()).isEqualTo(id));
    assertThat(sim.deploymentStatuses().get(1).environmentUrl()).isEqualTo("https://shop.example.com");

    source.reportDeployment(commit, "in_progress", "again");
    source.reportDeployment(commit, "failure", "health_check_failed");
    assertThat(sim.deployments()).hasSize(2);
    assertThat(sim.commitStatuses().get(3).state()).isEqualTo("failure");
    assertThat(sim.deploymentStatuses().get(3).state()).isEqualTo("failure");
  }

  @Test
  void reportingCanBeNarrowedAndNeverFailsADeploy() {
    GitHubSource statusesOnly = f.source(f.patClient(PAT)).deployments(false).statusContext("ci/potions").build();
    SourceCommit commit = statusesOnly.resolve("main");
    statusesOnly.reportDeployment(commit, "success", "ok");
    assertThat(sim.commitStatuses()).singleElement().satisfies(s -> assertThat(s.context()).isEqualTo("ci/potions"));
    assertThat(sim.deployments()).isEmpty();

    sim.failNext("POST", "/repos/.*/statuses/.*", 10, aResponse().withStatus(500)
        .withHeader("Content-Type", "application/json").withBody("{\"message\":\"Server Error\"}"));
    sim.failNext("POST", "/repos/.*/deployments", 10, aResponse().withStatus(403)
        .withHeader("Content-Type", "application/json").withBody("{\"message\":\"Resource not accessible by integration\"}"));
    GitHubSource both = f.source(f.patClient(PAT)).build();
    both.reportDeployment(commit, "in_progress", "deploying");
    both.reportDeployment(commit, "bogus", "ignored");
    both.reportDeployment(commit, "success", "ok");
    assertThat(sim.commitStatuses()).hasSize(1);
  }

  private static long uploadPackBytes(GitHttpServer git) {
    return git.requests().stream().filter(r -> r.status() == 200).mapToLong(GitHttpServer.Request::bytesSent).sum();
  }

  private static byte[] bundle(GitHubSource source, SourceCommit commit, List<String> have) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    source.writeBundle(commit, have, out);
    return out.toByteArray();
  }

  private String bundleHeads(GitHubSource source, SourceCommit commit, List<String> have) throws Exception {
    Path file = f.dir.resolve("check.bundle");
    Files.write(file, bundle(source, commit, have));
    Process p = new ProcessBuilder("git", "bundle", "list-heads", file.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return out;
  }
}
