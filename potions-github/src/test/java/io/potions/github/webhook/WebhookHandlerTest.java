package io.potions.github.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.potions.InvalidInputException;
import io.potions.app.App;
import io.potions.contract.OpenApiContract;
import io.potions.github.sim.PushEvents;
import io.potions.github.sim.PushEvents.Delivery;
import io.potions.internal.engine.DeployQueue;
import io.potions.internal.engine.ServerContext;
import io.potions.progress.ProgressListener;
import io.potions.secret.Redactor;
import io.potions.secret.Secret;
import io.potions.source.SourceCommit;
import io.potions.spi.ReleaseBuilder;
import io.potions.spi.RemoteExecutor;
import io.potions.spi.ReverseProxy;
import io.potions.spi.SourceHost;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The webhook handler: signatures, duplicates, ping, and which pushes deploy what. */
class WebhookHandlerTest {
  static final Secret SECRET = Secret.of("It's a Secret to Everybody");
  static final String REPO = "octo-org/shop";
  static final String BEFORE = "9049f1265b7d61be4a8904a9a27120d2064dab3b";
  static final String AFTER = "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c";
  private static final OpenApiContract contract = OpenApiContract.github();

  private final List<SourceCommit> deployed = new CopyOnWriteArrayList<>();
  private WebhookHandler handler;

  @BeforeEach
  void setUp() {
    handler = WebhookHandler.builder(SECRET).build();
    handler.autoDeploy(REPO, "main", "shop", commit -> {
      deployed.add(commit);
      return new CompletableFuture<>(); // a deploy that takes its time: the handler must not wait
    });
  }

  static Delivery push(String ref, String after) {
    var payload = PushEvents.push(REPO, ref, BEFORE, after, "Bump version\n\nTo 0.2.0.");
    assertThat(contract.validateWebhook("push", payload.toString())).isEmpty();
    return PushEvents.signed("push", payload, SECRET);
  }

  private WebhookResponse handle(Delivery d) {
    return handler.handle(d.headers(), d.body());
  }

  @Test
  void aSignedPushToTheTrackedBranchQueuesADeployOfThePushedCommitAtOnce() {
    WebhookResponse r = handle(push("refs/heads/main", AFTER));

    assertThat(r.status()).isEqualTo(202);
    assertThat(r.body()).contains("queued deploy of 0d1a26e to shop");
    assertThat(deployed).singleElement().isEqualTo(new SourceCommit(AFTER, "main", "Bump version", "Mona Lisa"));
  }

  @Test
  void aWrongOrMissingSignatureIsRefusedAndNothingIsDeployed() {
    Delivery good = push("refs/heads/main", AFTER);
    Delivery otherSecret = PushEvents.signed("push", PushEvents.push(REPO, "refs/heads/main", BEFORE, AFTER, "x"),
        Secret.of("not the secret"));
    byte[] tampered = good.text().replace("Bump version", "Bump versioN").getBytes(StandardCharsets.UTF_8);

    assertThat(handle(otherSecret)).isEqualTo(new WebhookResponse(401, "signature does not match"));
    assertThat(handler.handle(good.headers(), tampered).status()).isEqualTo(401);
    assertThat(handle(good.without("X-Hub-Signature-256"))).isEqualTo(new WebhookResponse(401, "missing X-Hub-Signature-256"));
    assertThat(handle(good.with("X-Hub-Signature-256", "sha256=zz"))).extracting(WebhookResponse::status).isEqualTo(401);
    assertThat(handle(good.with("X-Hub-Signature-256", "sha1=" + "0".repeat(40)))).extracting(WebhookResponse::status)
        .isEqualTo(401);
    assertThat(deployed).isEmpty();
    // the refused deliveries were not remembered: the genuine one still deploys
    assertThat(handle(good).status()).isEqualTo(202);
  }

  @Test
  void aRepeatedDeliveryIsDeployedOnce() {
    Delivery d = push("refs/heads/main", AFTER);

    assertThat(handle(d).status()).isEqualTo(202);
    WebhookResponse again = handle(d);

    assertThat(again.status()).isEqualTo(200);
    assertThat(again.body()).startsWith("duplicate delivery");
    assertThat(deployed).hasSize(1);
    // The same payload under a new delivery id (the id is not signed) is the same push: a replay.
    // (This used to deploy again; issue 11 made it a duplicate.)
    WebhookResponse replay = handle(d.with("X-GitHub-Delivery", "another-id"));
    assertThat(replay.status()).isEqualTo(200);
    assertThat(replay.body()).startsWith("duplicate push: 0d1a26e to refs/heads/main of " + REPO);
    assertThat(deployed).hasSize(1);
  }

  @Test
  void onlyTheLastDeliveryIdsAreRemembered() {
    WebhookHandler small = WebhookHandler.builder(SECRET).rememberedDeliveries(2).build();
    small.autoDeploy(REPO, "main", "shop", c -> {
      deployed.add(c);
      return CompletableFuture.completedFuture(null);
    });
    Delivery first = push("refs/heads/main", AFTER);
    small.handle(first.headers(), first.body());
    for (int i = 0; i < 2; i++) {
      // other pushes (other commits), so that the first push is forgotten as well as its delivery id
      Delivery other = push("refs/heads/main", String.valueOf((char) ('a' + i)).repeat(40));
      small.handle(other.headers(), other.body());
    }
    assertThat(small.handle(first.headers(), first.body()).status()).isEqualTo(202);
    assertThat(deployed).hasSize(4);
  }

  @Test
  void pingIsAnswered() {
    var payload = PushEvents.ping(REPO);
    assertThat(contract.validateWebhook("ping", payload.toString())).isEmpty();

    assertThat(handle(PushEvents.signed("ping", payload, SECRET))).isEqualTo(new WebhookResponse(200, "pong"));
    assertThat(deployed).isEmpty();
  }

  @Test
  void otherBranchesOtherRepositoriesAndOtherEventsAreIgnored() {
    WebhookResponse dev = handle(push("refs/heads/dev", AFTER));
    assertThat(dev.status()).isEqualTo(200);
    assertThat(dev.body()).isEqualTo("ignored: nothing auto-deploys branch dev of " + REPO);

    var elsewhere = PushEvents.push("octo-org/blog", "refs/heads/main", BEFORE, AFTER, "x");
    assertThat(handle(PushEvents.signed("push", elsewhere, SECRET)).body()).contains("nothing auto-deploys");
    assertThat(handle(PushEvents.signed("issues", PushEvents.ping(REPO), SECRET)))
        .isEqualTo(new WebhookResponse(200, "ignored event issues"));
    assertThat(deployed).isEmpty();

    var upper = PushEvents.push("Octo-Org/Shop", "refs/heads/main", BEFORE, AFTER, "x");
    assertThat(handle(PushEvents.signed("push", upper, SECRET)).status()).isEqualTo(202);
  }

  @Test
  void aBranchDeletionIsIgnored() {
    var payload = PushEvents.deletion(REPO, "main", BEFORE);
    assertThat(contract.validateWebhook("push", payload.toString())).isEmpty();

    WebhookResponse r = handle(PushEvents.signed("push", payload, SECRET));

    assertThat(r).isEqualTo(new WebhookResponse(200, "ignored: refs/heads/main of " + REPO + " was deleted"));
    assertThat(deployed).isEmpty();
  }

  @Test
  void tagsDeployOnlyWhenConfigured() {
    assertThat(handle(push("refs/tags/v1.2.0", AFTER)).body()).isEqualTo("ignored: nothing auto-deploys tag v1.2.0 of " + REPO);
    List<SourceCommit> released = new CopyOnWriteArrayList<>();
    handler.autoDeployTags(REPO, "v*", "shop-production", c -> {
      released.add(c);
      return new CompletableFuture<>();
    });

    assertThat(handle(push("refs/tags/v1.2.0", AFTER)).status()).isEqualTo(202);
    assertThat(handle(push("refs/tags/nightly-7", AFTER)).status()).isEqualTo(200);
    assertThat(released).extracting(SourceCommit::ref).containsExactly("v1.2.0");
    assertThat(deployed).isEmpty();
  }

  @Test
  void aFormEncodedDeliveryIsReadToo() {
    var payload = PushEvents.push(REPO, "refs/heads/main", BEFORE, AFTER, "form");
    byte[] body = ("payload=" + URLEncoder.encode(payload.toString(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
    Delivery d = PushEvents.signed("push", payload, SECRET)
        .with("Content-Type", "application/x-www-form-urlencoded")
        .with("X-Hub-Signature-256", WebhookSignatures.sign(SECRET, body));

    assertThat(handler.handle(d.headers(), body).status()).isEqualTo(202);
    assertThat(deployed).singleElement().extracting(SourceCommit::message).isEqualTo("form");
  }

  @Test
  void malformedOrOversizedDeliveriesAreRefused() {
    WebhookHandler small = WebhookHandler.builder(SECRET).maxBodyBytes(2048).build();
    Delivery big = push("refs/heads/main", AFTER);
    assertThat(small.handle(big.headers(), big.body()).status()).isEqualTo(413);

    byte[] notJson = "{not json".getBytes(StandardCharsets.UTF_8);
    Delivery d = push("refs/heads/main", AFTER).with("X-Hub-Signature-256", WebhookSignatures.sign(SECRET, notJson));
    assertThat(handler.handle(d.headers(), notJson)).isEqualTo(new WebhookResponse(400, "push payload is not JSON"));
    assertThat(handle(push("refs/heads/main", AFTER).without("X-GitHub-Delivery")).status()).isEqualTo(400);
    assertThat(handle(push("refs/heads/main", AFTER).without("X-GitHub-Event")).status()).isEqualTo(400);
    assertThat(deployed).isEmpty();
  }

  @Test
  void aDeployThatCannotBeQueuedIsA500AndARedeliveryIsHandled() {
    WebhookHandler failing = WebhookHandler.builder(SECRET).build();
    boolean[] broken = {true};
    failing.autoDeploy(REPO, "main", "shop", c -> {
      if (broken[0]) {
        throw new IllegalStateException("server unreachable");
      }
      deployed.add(c);
      return new CompletableFuture<>();
    });
    Delivery d = push("refs/heads/main", AFTER);

    WebhookResponse first = failing.handle(d.headers(), d.body());
    assertThat(first.status()).isEqualTo(500);
    assertThat(first.body()).contains("server unreachable");
    broken[0] = false;
    assertThat(failing.handle(d.headers(), d.body()).status()).isEqualTo(202);
    assertThat(deployed).hasSize(1);
  }

  @Test
  void registrationsAreCheckedAndRemovable() {
    assertThatThrownBy(() -> handler.autoDeploy("not-a-repo", "main", "x", c -> null)).isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> handler.autoDeploy(REPO, "refs/heads/main", "x", c -> null)).isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> WebhookHandler.builder(Secret.of(""))).isInstanceOf(InvalidInputException.class);
    AutoDeployRule rule = handler.rules().get(0);
    assertThat(handler.remove(rule)).isTrue();
    assertThat(handle(push("refs/heads/main", AFTER)).status()).isEqualTo(200);
    assertThat(handler.toString()).doesNotContain(SECRET.reveal());
  }

  @Test
  void signaturesMatchGitHubsPublishedExample() {
    // GitHub's documentation: secret "It's a Secret to Everybody", payload "Hello, World!"
    assertThat(WebhookSignatures.sign(SECRET, "Hello, World!".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
  }

  @Test
  void anAppDeploysThroughItsServersQueue() throws Exception {
    List<String> reports = new CopyOnWriteArrayList<>();
    java.util.concurrent.CountDownLatch redeliveryAnswered = new java.util.concurrent.CountDownLatch(1);
    SourceHost source = new SourceHost() {
      @Override
      public String describe() {
        return "recording source";
      }

      @Override
      public SourceCommit resolve(String ref) {
        // the handler re-resolves the pushed branch: it still names the pushed commit
        assertThat(ref).isEqualTo("main");
        return new SourceCommit(AFTER, ref, "Bump version", "Mona Lisa");
      }

      @Override
      public void writeBundle(SourceCommit commit, Collection<String> have, OutputStream out) {
        throw new UnsupportedOperationException();
      }

      @Override
      public void reportDeployment(SourceCommit commit, String state, String description) {
        reports.add(state + " " + commit.sha() + " " + Thread.currentThread().getName());
        if (state.equals("in_progress")) {
          // Hold the deploy until the redelivery below was answered: a failed deploy may be retried,
          // so once it has failed the same delivery would rightly be queued again.
          try {
            redeliveryAnswered.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }
    };
    DeployQueue queue = new DeployQueue("test-box");
    ServerContext ctx = new ServerContext() {
      @Override
      public String serverName() {
        return "test-box";
      }

      @Override
      public RemoteExecutor executor() {
        throw new IllegalStateException("no server in this test");
      }

      @Override
      public ReleaseBuilder releaseBuilder() {
        throw new IllegalStateException("no builds in this test");
      }

      @Override
      public ReverseProxy proxy() {
        return null;
      }

      @Override
      public ProgressListener listener() {
        return ProgressListener.NONE;
      }

      @Override
      public Redactor redactor() {
        return new Redactor();
      }

      @Override
      public DeployQueue queue() {
        return queue;
      }
    };
    List<CompletableFuture<?>> futures = new CopyOnWriteArrayList<>();
    WebhookHandler hooks = WebhookHandler.builder(SECRET).listener((rule, commit, f) -> futures.add(f)).build();
    hooks.autoDeploy(new App(ctx, "shop", null).withSource(source), REPO, "main");
    Delivery d = push("refs/heads/main", AFTER);

    assertThat(hooks.handle(d.headers(), d.body()).status()).isEqualTo(202);
    assertThat(hooks.handle(d.headers(), d.body()).status()).isEqualTo(200);
    redeliveryAnswered.countDown();

    assertThat(futures).hasSize(1);
    assertThatThrownBy(() -> futures.get(0).get(10, TimeUnit.SECONDS)).hasMessageContaining("no server in this test");
    // The deploy ran on the server's queue thread, and whatever ended it, GitHub hears it failed.
    assertThat(reports).containsExactly("in_progress " + AFTER + " potions-deploys-test-box",
        "failure " + AFTER + " potions-deploys-test-box");
    queue.shutdown();
  }
}
