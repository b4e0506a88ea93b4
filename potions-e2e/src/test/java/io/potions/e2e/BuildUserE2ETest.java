package io.potions.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.potions.Potions;
import io.potions.Server;
import io.potions.app.App;
import io.potions.app.AppSettings;
import io.potions.app.Deployment;
import io.potions.app.HealthCheck;
import io.potions.testkit.HttpProbe;
import io.potions.testkit.RequiresDocker;
import io.potions.testkit.SampleRepository;
import io.potions.testkit.ServerFixture;
import io.potions.testkit.ThrowawayServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.containers.Container;

/**
 * Builds run as a per-app build user ({@code pb-<app>}) on a real server: two apps deployed side by
 * side; each build user owns its work tree and releases, cannot read its app's secrets, and cannot
 * change the other app's source, build tree or releases. Every refusal is paired with proof that the
 * target exists and that root can do what the build user cannot, so a refusal is never a typo.
 */
@ExtendWith(RequiresDocker.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BuildUserE2ETest {
  private static final String AREA = "/var/lib/potions-build";
  private static final String USER_SECRET = "user-secret-value-5e0c2";

  private ServerFixture fixture;
  private ThrowawayServer box;
  private Server server;
  private SampleRepository repo;
  private App shop;
  private App blog;
  private final List<String> buildLines = new ArrayList<>();
  private String blogVersion;

  @BeforeAll
  void start() {
    fixture = ServerFixture.start("build-user");
    box = fixture.box();
    server = fixture.connect(Potions.builder().progress(ServerFixture.printingBuildOutput(buildLines)).build())
        .provision();
    repo = fixture.repo();
    shop = fixture.app(server, "shop");
    blog = fixture.app(server, "blog");
  }

  @AfterAll
  void stop() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  @Order(1)
  void creatingAnAppCreatesItsBuildUserWithNoLoginNoSudoAndAnAreaUnderARootOwnedParent() {
    for (App app : List.of(shop, blog)) {
      app.create(AppSettings.builder().addDomains(app.name() + ".test").https(false)
          .healthCheck(HealthCheck.builder().deadline(Duration.ofSeconds(30)).build()).build());
    }
    shop.env().set("API_TOKEN", USER_SECRET);
    assertThat(exec("getent passwd pb-shop | cut -d: -f7")).isEqualTo("/usr/sbin/nologin");
    assertThat(exec("id -nG pb-shop")).isEqualTo("pb-shop");
    assertThat(exec("stat -c '%U %a' " + AREA + " " + AREA + "/shop " + AREA + "/blog"))
        .isEqualTo("root 755\npb-shop 755\npb-blog 755");
    Container.ExecResult sudo = box.console("runuser -u pb-shop -- sudo -n true");
    assertThat(sudo.getExitCode()).as("pb-shop may not use sudo").isNotZero();
    // The secrets directory stays the deploy user's.
    assertThat(exec("stat -c '%U %a' /opt/potions/shop/secrets /opt/potions/shop/secrets/generated.env"))
        .isEqualTo("deploy 700\ndeploy 600");
  }

  @Test
  @Order(2)
  void bothAppsDeployAndServeThroughCaddyWithTheBuildOutputStreamedLive() throws Exception {
    Deployment s = shop.deploy("main");
    Deployment b = blog.deploy("main");
    assertThat(s.succeeded()).isTrue();
    assertThat(b.succeeded()).isTrue();
    synchronized (buildLines) {
      assertThat(buildLines).anyMatch(l -> l.contains("==> mix compile"));
    }
    assertThat(get("shop.test", "/version").body()).isEqualTo(repo.version());
    assertThat(get("blog.test", "/version").body()).isEqualTo(repo.version());
    blogVersion = repo.version();
    // Deploy a new version of shop: the second build reuses the build user's caches and still serves.
    repo.setVersion("0.2.0");
    assertThat(shop.deploy("main").succeeded()).isTrue();
    assertThat(get("shop.test", "/version").body()).isEqualTo("0.2.0");
  }

  @Test
  @Order(3)
  void theBuildTreeAndTheReleaseAreOwnedByTheBuildUserAndWritableByNobodyElse() {
    String release = liveRelease("shop");
    assertThat(release).startsWith(AREA + "/shop/releases/");
    assertThat(exec("stat -c '%U %a' " + AREA + "/shop/build " + AREA + "/shop/home"))
        .isEqualTo("pb-shop 700\npb-shop 700");
    assertThat(exec("stat -c %U " + AREA + "/shop/build/_build " + AREA + "/shop/build/mix.exs " + release))
        .isEqualTo("pb-shop\npb-shop\npb-shop");
    assertThat(exec("find " + AREA + "/shop ! -user pb-shop | wc -l")).as("files in the area not pb-shop's").isEqualTo("0");
    assertThat(exec("find " + release + " ! -type l -perm /022 | wc -l")).as("group/other-writable files").isEqualTo("0");
    // The app's source repository stays the deploy user's; the app's releases/ holds links.
    assertThat(exec("stat -c %U /opt/potions/shop/repo.git /opt/potions/shop/releases")).isEqualTo("deploy\ndeploy");
    // The runtime user reads (and runs) the release.
    assertThat(exec("runuser -u potions -- test -r " + release + "/bin/potions_sample && echo readable"))
        .isEqualTo("readable");
  }

  @Test
  @Order(4)
  void theBuildUserCannotReadItsAppsSecrets() {
    String slotEnv = "/etc/potions/env/shop-" + liveSlot("shop");
    for (String[] secret : new String[][] {
        {"/opt/potions/shop/secrets/generated.env", "SECRET_KEY_BASE"},
        {"/opt/potions/shop/secrets/env", USER_SECRET},
        {slotEnv, "SECRET_KEY_BASE"}}) {
      // Root reads it: the file is there and holds the secret, so the refusal below is real.
      assertThat(exec("cat " + secret[0])).contains(secret[1]);
      Container.ExecResult r = box.console("runuser -u pb-shop -- cat " + secret[0]);
      assertThat(r.getExitCode()).as("pb-shop reading " + secret[0]).isNotZero();
      assertThat(r.getStderr()).contains("Permission denied");
      assertThat(r.getStdout()).doesNotContain(secret[1]);
    }
  }

  @Test
  @Order(5)
  void oneAppsBuildUserCannotChangeAnotherAppsSourceBuildTreeOrReleases() {
    String blogRelease = liveRelease("blog");
    assertThat(blogRelease).startsWith(AREA + "/blog/releases/");
    // Each attempt with the path that must exist for the attempt to be real.
    String[][] attempts = {
        {"touch " + AREA + "/blog/build/mix.exs", AREA + "/blog/build/mix.exs"},
        {"touch " + AREA + "/blog/build/_build/injected", AREA + "/blog/build/_build"},
        {"touch " + AREA + "/blog/home/.gitconfig", AREA + "/blog/home/.gitconfig"},
        {"touch " + blogRelease + "/bin/injected", blogRelease + "/bin"},
        {"touch " + blogRelease + "/bin/potions_sample", blogRelease + "/bin/potions_sample"},
        {"rm -rf " + blogRelease, blogRelease},
        {"mv " + blogRelease + " " + AREA + "/shop/stolen", blogRelease},
        {"mkdir " + AREA + "/blog/releases/injected", AREA + "/blog/releases"},
        {"touch /opt/potions/blog/repo.git/hooks/post-update", "/opt/potions/blog/repo.git/hooks"},
        {"touch /opt/potions/blog/repo.git/HEAD", "/opt/potions/blog/repo.git/HEAD"},
        {"touch /opt/potions/shop/repo.git/HEAD", "/opt/potions/shop/repo.git/HEAD"},
        {"ln -s /tmp /opt/potions/blog/releases/injected", "/opt/potions/blog/releases"},
        {"ln -sfn /tmp /opt/potions/blog/slots/blue/release", "/opt/potions/blog/slots/blue"},
    };
    for (String[] attempt : attempts) {
      assertThat(exec("test -e " + attempt[1] + " && echo exists")).as(attempt[0]).isEqualTo("exists");
      Container.ExecResult r = box.console("runuser -u pb-shop -- " + attempt[0]);
      assertThat(r.getExitCode()).as("pb-shop: " + attempt[0] + "\n" + r.getStderr()).isNotZero();
      assertThat(r.getStderr()).as(attempt[0]).containsIgnoringCase("denied");
    }
    assertThat(exec("test -e " + blogRelease + "/bin/injected || echo absent")).isEqualTo("absent");
    assertThat(exec("test -x " + blogRelease + "/bin/potions_sample && echo intact")).isEqualTo("intact");
    // The other way round too.
    Container.ExecResult back = box.console("runuser -u pb-blog -- touch " + AREA + "/shop/build/mix.exs");
    assertThat(back.getExitCode()).isNotZero();
  }

  @Test
  @Order(6)
  void deletingAnAppRemovesItsBuildUserAndAreaAndLeavesTheOtherServing() throws Exception {
    shop.delete(true);
    assertThat(exec("id pb-shop >/dev/null 2>&1 && echo present || echo gone")).isEqualTo("gone");
    assertThat(exec("test -e " + AREA + "/shop && echo present || echo gone")).isEqualTo("gone");
    assertThat(exec("id pb-blog >/dev/null 2>&1 && echo present || echo gone")).isEqualTo("present");
    assertThat(get("blog.test", "/version").body()).isEqualTo(blogVersion);
  }

  private String liveRelease(String app) {
    return exec("readlink -f /opt/potions/" + app + "/slots/" + liveSlot(app) + "/release");
  }

  private String liveSlot(String app) {
    for (String slot : List.of("blue", "green")) {
      if (box.console("systemctl is-active --quiet potions-app@" + app + "-" + slot).getExitCode() == 0) {
        return slot;
      }
    }
    throw new AssertionError("no live slot for " + app);
  }

  private HttpProbe.Response get(String host, String path) throws Exception {
    return HttpProbe.send("127.0.0.1", box.httpPort(), host, "GET", path, null);
  }

  private String exec(String script) {
    Container.ExecResult r = box.console(script);
    assertThat(r.getExitCode()).as("console: %s%n%s%s", script, r.getStdout(), r.getStderr()).isZero();
    return r.getStdout().trim();
  }
}
