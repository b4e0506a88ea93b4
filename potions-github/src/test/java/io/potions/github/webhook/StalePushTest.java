package io.potions.github.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.potions.github.git.TestRepo;
import io.potions.github.sim.PushEvents;
import io.potions.github.sim.PushEvents.Delivery;
import io.potions.source.GitRepositorySource;
import io.potions.source.SourceCommit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replays and late deliveries, against a real git repository (JGit): a push deploys only while its
 * commit is the branch's (or tag's) head, is not live already, and is not older than the live one.
 */
class StalePushTest {
  private static final String REPO = WebhookHandlerTest.REPO;

  @TempDir Path dir;
  private TestRepo repo;
  private GitRepositorySource source;
  private final AtomicReference<String> live = new AtomicReference<>();
  private final AtomicBoolean deploysFail = new AtomicBoolean();
  private final List<String> deployed = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    Files.createDirectories(dir.resolve("git"));
    repo = TestRepo.create(dir.resolve("git"), REPO, dir.resolve("work"));
    source = GitRepositorySource.local(repo.bare);
  }

  @AfterEach
  void tearDown() {
    repo.close();
  }

  /** A trigger like an app's: the source, the live commit, and a deploy that makes the commit live. */
  private DeployTrigger app() {
    return DeployTrigger.checked(source, () -> Optional.ofNullable(live.get()), commit -> {
      if (deploysFail.get()) {
        return CompletableFuture.failedFuture(new IllegalStateException("build failed"));
      }
      deployed.add(commit.sha());
      live.set(commit.sha());
      return CompletableFuture.completedFuture(null);
    });
  }

  private WebhookHandler handler(int remembered) {
    WebhookHandler h = WebhookHandler.builder(WebhookHandlerTest.SECRET).rememberedDeliveries(remembered).build();
    h.autoDeploy(REPO, "main", "shop", app());
    return h;
  }

  private static Delivery push(String ref, String sha) {
    return PushEvents.signed("push", PushEvents.push(REPO, ref, WebhookHandlerTest.BEFORE, sha, "a change"),
        WebhookHandlerTest.SECRET);
  }

  private static WebhookResponse send(WebhookHandler h, Delivery d) {
    return h.handle(d.headers(), d.body());
  }

  @Test
  void aCapturedDeliveryReplayedUnderAFreshDeliveryIdDeploysNothing() {
    WebhookHandler hooks = handler(10);
    String a = repo.commit("VERSION", "1\n", "one");
    Delivery captured = push("refs/heads/main", a);
    assertThat(send(hooks, captured).status()).isEqualTo(202);

    WebhookResponse replay = send(hooks, captured.with("X-GitHub-Delivery", "fresh-id-1"));

    assertThat(replay.status()).isEqualTo(200);
    assertThat(replay.body()).startsWith("duplicate push: " + a.substring(0, 7));
    assertThat(deployed).containsExactly(a);
  }

  @Test
  void aReplayAfterTheHandlerForgotThePushIsStillRefused() {
    WebhookHandler hooks = handler(1); // remembers one delivery id and one push only
    List<String> dev = new CopyOnWriteArrayList<>();
    hooks.autoDeploy(REPO, "dev", "shop-dev", c -> {
      dev.add(c.sha());
      return CompletableFuture.completedFuture(null);
    });
    String a = repo.commit("VERSION", "1\n", "one");
    Delivery captured = push("refs/heads/main", a);
    assertThat(send(hooks, captured).status()).isEqualTo(202);
    assertThat(send(hooks, push("refs/heads/dev", "d".repeat(40))).status()).isEqualTo(202); // evicts both logs

    // main still points at the live commit: a replay must not redeploy it
    WebhookResponse sameHead = send(hooks, captured.with("X-GitHub-Delivery", "fresh-id-2"));
    assertThat(sameHead).isEqualTo(new WebhookResponse(200, "nothing deployed: " + a.substring(0, 7) + " to shop: "
        + a.substring(0, 7) + " is already live"));

    // main moved on: a replay of the old push is superseded
    String b = repo.commit("VERSION", "2\n", "two");
    assertThat(send(hooks, push("refs/heads/main", b)).status()).isEqualTo(202);
    WebhookResponse old = send(hooks, captured.with("X-GitHub-Delivery", "fresh-id-3"));
    assertThat(old.status()).isEqualTo(200);
    assertThat(old.body()).contains("branch main is now at " + b.substring(0, 7), "a newer push supersedes");
    assertThat(deployed).containsExactly(a, b);
    assertThat(live.get()).isEqualTo(b);
  }

  @Test
  void aLateRedeliveryAfterANewerPushDoesNotDeployTheOlderCommit() {
    WebhookHandler hooks = handler(10);
    String a = repo.commit("VERSION", "1\n", "one");
    String b = repo.commit("VERSION", "2\n", "two");
    Delivery pushA = push("refs/heads/main", a);
    Delivery pushB = push("refs/heads/main", b);

    assertThat(send(hooks, pushB).status()).isEqualTo(202);   // B's delivery arrives first
    WebhookResponse late = send(hooks, pushA);                 // then A's, late (or redelivered)

    assertThat(late.status()).isEqualTo(200);
    assertThat(late.body()).isEqualTo("nothing deployed: " + a.substring(0, 7) + " to shop: branch main is now at "
        + b.substring(0, 7) + " (a newer push supersedes this one)");
    assertThat(send(hooks, pushA).body()).startsWith("duplicate delivery"); // GitHub's Redeliver keeps the id
    assertThat(deployed).containsExactly(b);
  }

  @Test
  void aPushOfACommitOlderThanTheLiveOneIsRefused() {
    WebhookHandler hooks = handler(10);
    hooks.autoDeployTags(REPO, "v*", "shop", app());
    String a = repo.commit("VERSION", "1\n", "one");
    repo.branch("hotfix");              // at A
    repo.checkout("main");
    String b = repo.commit("VERSION", "2\n", "two");
    assertThat(send(hooks, push("refs/heads/main", b)).status()).isEqualTo(202);
    assertThat(live.get()).isEqualTo(b);

    repo.checkout("hotfix");
    repo.tag("v0.9");                   // a tag pushed on A, an ancestor of the live B
    WebhookResponse older = send(hooks, push("refs/tags/v0.9", a));

    assertThat(older.status()).isEqualTo(200);
    assertThat(older.body()).isEqualTo("nothing deployed: " + a.substring(0, 7) + " to shop: " + a.substring(0, 7)
        + " is older than the live commit " + b.substring(0, 7) + " (a webhook never deploys an older commit)");
    assertThat(deployed).containsExactly(b);

    // a commit beside the live one (not its ancestor) is not older: it deploys
    String c = repo.commit("FIX", "x\n", "hotfix");
    repo.tag("v0.9.1");
    assertThat(send(hooks, push("refs/tags/v0.9.1", c)).status()).isEqualTo(202);
    assertThat(deployed).containsExactly(b, c);
  }

  @Test
  void aCommitTheBranchDoesNotNameOrABranchThatIsGoneDeploysNothing() {
    WebhookHandler hooks = handler(10);
    hooks.autoDeploy(REPO, "gone", "shop", app());
    String ghost = "e".repeat(40);

    WebhookResponse r = send(hooks, push("refs/heads/main", ghost));
    WebhookResponse gone = send(hooks, push("refs/heads/gone", ghost));

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).contains("branch main is now at");
    assertThat(gone.status()).isEqualTo(200);
    assertThat(gone.body()).contains("branch gone no longer exists in " + repo.bare);
    assertThat(deployed).isEmpty();
  }

  @Test
  void aPushWhoseDeployFailedIsHandledAgainWhenRedelivered() {
    WebhookHandler hooks = handler(10);
    String a = repo.commit("VERSION", "1\n", "one");
    Delivery d = push("refs/heads/main", a);
    deploysFail.set(true);
    assertThat(send(hooks, d).status()).isEqualTo(202); // queued; the deploy then fails

    deploysFail.set(false);
    assertThat(send(hooks, d).status()).isEqualTo(202); // GitHub's Redeliver, same id: tried again

    assertThat(deployed).containsExactly(a);
  }

  @Test
  void theSourceTellsAncestry() {
    String a = repo.commit("VERSION", "1\n", "one");
    String b = repo.commit("VERSION", "2\n", "two");

    assertThat(source.isAncestor(a, b)).isTrue();
    assertThat(source.isAncestor(a, a)).isTrue();
    assertThat(source.isAncestor(b, a)).isFalse();
    assertThat(source.isAncestor("f".repeat(40), b)).isFalse();
    assertThat(source.isAncestor("not a sha", b)).isFalse();
    SourceCommit head = source.resolve("main");
    assertThat(head.sha()).isEqualTo(b);
  }
}
