package io.potions.e2e.portal;

import static org.assertj.core.api.Assertions.assertThat;

import io.potions.Potions;
import io.potions.Server;
import io.potions.app.App;
import io.potions.app.Deployment;
import io.potions.app.DeploymentFuture;
import io.potions.cloud.CloudServer;
import io.potions.event.DeployStage;
import io.potions.github.webhook.WebhookSignatures;
import io.potions.portal.Portal;
import io.potions.secret.Secret;
import io.potions.source.GitRepositorySource;
import io.potions.spi.RemoteCommand;
import io.potions.testkit.HttpProbe;
import io.potions.testkit.LocalCloud;
import io.potions.testkit.RequiresDocker;
import io.potions.testkit.SampleRepository;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The portal example in a real browser (the distribution's headless Chromium through Selenium), on
 * a local-cloud server it provisions itself: everything a user does, checked in the page and then
 * where it matters (through Caddy, on the server). Screenshots of the main pages go to docs/portal/.
 */
@ExtendWith(RequiresDocker.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PortalBrowserE2ETest {
  private static final String SERVER = "portal-e2e";
  private static final String WEBHOOK_SECRET = "portal-test-webhook-secret";
  private static final Duration BUILD_WAIT = Duration.ofMinutes(6);

  private Potions potions;
  private Portal portal;
  private SampleRepository repo;
  private String base;
  private final List<WebDriver> browsers = new ArrayList<>();
  private WebDriver a;
  private WebDriver b;
  private String v1;
  private String firstShopDeployment;

  @BeforeAll
  void start() throws Exception {
    Path tmp = Files.createTempDirectory("potions-portal-e2e-");
    LocalCloud cloud = LocalCloud.fromSnapshot();
    cloud.find(SERVER).ifPresent(cloud::destroy);  // a server left by an interrupted run
    potions = Potions.builder().cloud(cloud).home(tmp.resolve("home")).build();
    portal = new Portal(potions, Portal.localSources(), Secret.of(WEBHOOK_SECRET)).start(0);
    base = "http://127.0.0.1:" + portal.port();
    repo = SampleRepository.openOrCreate(tmp.resolve("shop"), SampleRepository.sampleAppSources());
    v1 = repo.version();
    a = browser();
    b = browser();
  }

  private WebDriver browser() {
    // The distribution's Chromium and chromedriver: Selenium Manager is never asked to download one.
    System.setProperty("webdriver.chrome.driver", "/usr/bin/chromedriver");
    ChromeOptions options = new ChromeOptions().setBinary("/usr/bin/chromium")
        .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1400");
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
    WebDriver driver = new ChromeDriver(service, options);
    browsers.add(driver);
    return driver;
  }

  @AfterAll
  void stop() {
    browsers.forEach(d -> {
      try {
        d.quit();
      } catch (RuntimeException ignored) {
        // already gone
      }
    });
    if (portal != null) {
      portal.close();
    }
    if (potions != null) {
      try {
        potions.destroy(SERVER);
      } finally {
        potions.close();
      }
    }
    if (repo != null) {
      repo.close();
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private static WebElement el(WebDriver d, String id) {
    return d.findElement(By.id(id));
  }

  private static String text(WebDriver d, String id) {
    return el(d, id).getText();
  }

  private static void type(WebDriver d, String id, String value) {
    WebElement e = el(d, id);
    e.clear();
    e.sendKeys(value);
  }

  private static void until(WebDriver d, Duration timeout, String what, java.util.function.Function<WebDriver, Boolean> check) {
    // The pages re-render their tables: an element read mid-render is simply read again.
    new WebDriverWait(d, timeout).pollingEvery(Duration.ofMillis(200)).withMessage(what)
        .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
        .ignoring(org.openqa.selenium.NoSuchElementException.class).until(check::apply);
  }

  private static String stageClass(WebDriver d, String stage) {
    List<WebElement> li = d.findElements(By.cssSelector("#timeline li[data-stage='" + stage + "']"));
    return li.isEmpty() ? "" : li.get(0).getAttribute("class");
  }

  private void openApp(WebDriver d, String app) {
    d.get(base + "/app.html?server=" + SERVER + "&app=" + app);
    until(d, Duration.ofSeconds(30), "app page loaded", x -> !text(x, "status").equals("loading..."));
  }

  private void screenshot(WebDriver d, String name) throws IOException {
    Path docs = Path.of(System.getProperty("potions.docsDir", "../docs")).resolve("portal");
    Files.createDirectories(docs);
    File shot = ((TakesScreenshot) d).getScreenshotAs(OutputType.FILE);
    Files.copy(shot.toPath(), docs.resolve(name), StandardCopyOption.REPLACE_EXISTING);
  }

  private Server server() {
    return portal.server(SERVER).orElseThrow();
  }

  private String root(String script) {
    return String.join("\n", server().executor().run(RemoteCommand.of("test check", script)).stdout());
  }

  private String throughCaddy(String domain) throws IOException {
    CloudServer box = potions.cloudServers().stream().filter(s -> s.name().equals(SERVER)).findFirst().orElseThrow();
    HttpProbe.Response r = HttpProbe.get("127.0.0.1", Integer.parseInt(box.labels().get("httpPort")), domain, "/");
    assertThat(r.status()).as("GET / on " + domain + " through Caddy").isEqualTo(200);
    return r.body();
  }

  /** Waits until the page's timeline shows the deploy it follows ended in {@code stage} (done, failed...). */
  private void waitForStage(WebDriver d, String stage, Duration timeout) {
    until(d, timeout, "timeline reaches " + stage, x -> stageClass(x, stage).equals(stage));
  }

  // ---- the user's path -------------------------------------------------------------------------

  @Test
  @Order(1)
  void provisionsAServerWithLiveProgress() throws Exception {
    a.get(base + "/");
    type(a, "server-name", SERVER);
    el(a, "provision-btn").click();
    until(a, Duration.ofMinutes(25), "server ready or failed", d -> d.findElements(
        By.cssSelector("tr[data-server='" + SERVER + "'] td.state")).stream()
        .anyMatch(e -> e.getText().equals("ready") || e.getText().startsWith("failed")));
    assertThat(a.findElement(By.cssSelector("tr[data-server='" + SERVER + "'] td.state")).getText()).isEqualTo("ready");
    assertThat(text(a, "provision-log")).contains("==> Create server " + SERVER).contains("done (");
    screenshot(a, "servers.png");
  }

  @Test
  @Order(2)
  void anInvalidAppNameShowsTheSdksErrorAndCreatesNothing() {
    a.get(base + "/server.html?server=" + SERVER);
    type(a, "app-name", "Bad_Name!");
    type(a, "app-source", repo.dir().toString());
    el(a, "create-btn").click();
    until(a, Duration.ofSeconds(20), "error shown", d -> !text(d, "error").isEmpty());
    assertThat(text(a, "error")).contains("App name");
    assertThat(server().apps()).isEmpty();
  }

  @Test
  @Order(3)
  void createsTwoAppsFromTwoSessions() throws Exception {
    for (var session : List.of(java.util.Map.entry(a, "shop"), java.util.Map.entry(b, "blog"))) {
      WebDriver d = session.getKey();
      d.get(base + "/server.html?server=" + SERVER);
      type(d, "app-name", session.getValue());
      type(d, "app-domain", session.getValue() + ".portal.test");
      type(d, "app-source", repo.dir().toString());
      el(d, "create-btn").click();
      until(d, Duration.ofSeconds(60), "app page after create", x -> x.getCurrentUrl().contains("app.html"));
    }
    assertThat(server().apps()).extracting(m -> m.name()).containsExactlyInAnyOrder("shop", "blog");
    a.get(base + "/server.html?server=" + SERVER);
    until(a, Duration.ofSeconds(10), "apps listed", d -> d.findElements(By.cssSelector("tr[data-app]")).size() == 2);
    screenshot(a, "apps.png");
  }

  @Test
  @Order(4)
  void envVarsAreMaskedAndAReservedKeyIsRefused() {
    openApp(a, "shop");
    type(a, "env-key", "DATABASE_URL");
    type(a, "env-value", "postgres://elsewhere");
    el(a, "env-btn").click();
    until(a, Duration.ofSeconds(20), "error shown", d -> !text(d, "error").isEmpty());
    assertThat(text(a, "error")).contains("DATABASE_URL");
    type(a, "env-key", "GREETING");
    type(a, "env-value", "portal-secret-value-71c2");
    el(a, "env-btn").click();
    until(a, Duration.ofSeconds(20), "variable listed", d -> !d.findElements(By.cssSelector("tr[data-key='GREETING']")).isEmpty());
    assertThat(a.findElement(By.cssSelector("tr[data-key='GREETING']")).getText()).contains("••••••");
    assertThat(a.getPageSource()).doesNotContain("portal-secret-value-71c2");
    assertThat(server().app("shop").env().list().keys()).containsExactly("GREETING");
  }

  @Test
  @Order(5)
  void anUnknownRefShowsTheSdksErrorAndQueuesNothing() {
    openApp(a, "shop");
    type(a, "ref", "no-such-branch");
    el(a, "deploy-btn").click();
    until(a, Duration.ofSeconds(20), "error shown", d -> !text(d, "error").isEmpty());
    assertThat(text(a, "error")).contains("no-such-branch");
    assertThat(text(a, "deployment-id")).isEqualTo("none");
    assertThat(server().app("shop").deployments()).isEmpty();
  }

  @Test
  @Order(6)
  void twoDeploysFromTwoSessionsStreamToTheirOwnPageAndTheSecondShowsItsPlaceInTheQueue() throws Exception {
    openApp(a, "shop");
    openApp(b, "blog");
    type(a, "ref", "main");
    type(b, "ref", "main");
    el(a, "deploy-btn").click();
    until(a, Duration.ofSeconds(20), "shop's deploy started", d -> !text(d, "deployment-id").equals("none"));
    el(b, "deploy-btn").click();
    until(b, Duration.ofSeconds(20), "blog waits behind shop", d -> text(d, "queue-position").contains("position 1"));
    until(a, BUILD_WAIT, "shop's build log streams", d -> text(d, "deploy-log").contains("mix"));
    assertThat(stageClass(b, "queued")).isEqualTo("current");
    assertThat(text(b, "deploy-log")).as("shop's build lines never reach blog's page").isEmpty();
    assertThat(text(a, "deployment-id")).isNotEqualTo(text(b, "deployment-id"));
    firstShopDeployment = text(a, "deployment-id");
    screenshot(a, "deploy-building.png");

    // A page opened in the middle of the deploy shows the log from its start, then follows it.
    WebDriver late = browser();
    openApp(late, "shop");
    until(late, Duration.ofSeconds(20), "late page follows the running deploy",
        d -> text(d, "deployment-id").equals(firstShopDeployment));

    waitForStage(a, "done", BUILD_WAIT);
    until(late, Duration.ofSeconds(30), "late page sees the end", d -> stageClass(d, "done").equals("done"));
    assertThat(text(late, "deploy-log")).as("the late page has the whole log, once").isEqualTo(text(a, "deploy-log"));
    assertThat(text(a, "deploy-log")).startsWith("==> Build");
    for (String stage : List.of("queued", "uploading", "building", "verifying", "switching")) {
      assertThat(stageClass(a, stage)).as(stage).isEqualTo("done");
    }
    late.quit();
    browsers.remove(late);
    assertThat(throughCaddy("shop.portal.test")).contains(v1);

    // Then blog's deploy runs: its page moves from queued to done by itself.
    waitForStage(b, "done", BUILD_WAIT);
    assertThat(text(b, "deploy-log")).contains("mix");
    assertThat(throughCaddy("blog.portal.test")).contains(v1);
    screenshot(a, "deploy-done.png");
  }

  @Test
  @Order(7)
  void aPushToTheConnectedBranchDeploysAndThePageFollowsIt() throws Exception {
    openApp(a, "shop");
    type(a, "gh-repo", "octo/shop");
    type(a, "gh-branch", "main");
    el(a, "gh-btn").click();
    until(a, Duration.ofSeconds(20), "connected", d -> text(d, "gh-status").contains("octo/shop@main"));
    String v2 = repo.bumpVersion();
    String sha = repo.head();
    byte[] body = ("{\"ref\":\"refs/heads/main\",\"before\":\"" + "0".repeat(39) + "1\",\"after\":\"" + sha
        + "\",\"repository\":{\"full_name\":\"octo/shop\"},\"head_commit\":{\"message\":\"bump\"}}")
        .getBytes(StandardCharsets.UTF_8);
    HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/webhooks/github"))
        .header("X-GitHub-Event", "push").header("X-GitHub-Delivery", UUID.randomUUID().toString())
        .header("X-Hub-Signature-256", WebhookSignatures.sign(Secret.of(WEBHOOK_SECRET), body))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
    until(a, Duration.ofSeconds(30), "the page picks up the pushed deploy",
        d -> !text(d, "deployment-id").equals(firstShopDeployment) && !text(d, "deployment-id").equals("none"));
    waitForStage(a, "done", BUILD_WAIT);
    assertThat(throughCaddy("shop.portal.test")).contains(v2);
  }

  @Test
  @Order(8)
  void rollbackFromThePageGoesBackToTheFirstRelease() throws Exception {
    openApp(a, "shop");
    String before = text(a, "deployment-id");
    el(a, "rollback-btn").click();
    until(a, Duration.ofSeconds(20), "rollback started", d -> !text(d, "deployment-id").equals(before));
    waitForStage(a, "done", Duration.ofMinutes(3));
    assertThat(stageClass(a, "building")).as("a rollback builds nothing").isEmpty();
    assertThat(throughCaddy("shop.portal.test")).contains(v1);
    until(a, Duration.ofSeconds(20), "history lists the rollback",
        d -> d.findElements(By.cssSelector("#history tr")).stream().anyMatch(r -> r.getText().contains("rollback")));
    screenshot(a, "app.png");
  }

  @Test
  @Order(9)
  void aQueuedDeployCancelledFromThePageNeverBuilds() throws Exception {
    openApp(a, "shop");
    // Something ahead of it in the server's queue: a restart of blog (no build, a few seconds).
    DeploymentFuture ahead = server().app("blog").restartAsync();
    type(a, "ref", "main");
    el(a, "deploy-btn").click();
    until(a, Duration.ofSeconds(20), "queued behind blog", d -> text(d, "queue-position").contains("position 1"));
    String cancelled = text(a, "deployment-id");
    el(a, "cancel-btn").click();
    until(a, Duration.ofSeconds(20), "timeline says cancelled", d -> stageClass(d, "cancelled").equals("cancelled"));
    assertThat(ahead.get(3, TimeUnit.MINUTES).succeeded()).isTrue();
    assertThat(server().app("shop").deployments()).extracting(Deployment::id).doesNotContain(cancelled);
    assertThat(root("ls /var/lib/potions-build/shop/releases/ /opt/potions/shop/releases/ 2>&1"))
        .as("no release of the cancelled deploy").doesNotContain(cancelled);
    assertThat(throughCaddy("shop.portal.test")).contains(v1);
  }

  @Test
  @Order(10)
  void aBuildCancelledThroughTheSdkIsStoppedOnTheServerAndLeavesNothingBehind() throws Exception {
    repo.write("lib/potions_sample/slow_to_build.ex", "defmodule PotionsSample.SlowToBuild do\n  @moduledoc false\n"
        + "  Process.sleep(60_000)\nend\n", "a module whose compilation takes a minute");
    App shop = server().app("shop").withSource(GitRepositorySource.local(repo.dir()));
    DeploymentFuture future = shop.deployAsync("main");
    for (int i = 0; i < 600 && future.stage() != DeployStage.BUILDING; i++) {
      Thread.sleep(100);
    }
    assertThat(future.stage()).isEqualTo(DeployStage.BUILDING);
    until(a, Duration.ofSeconds(60), "the page follows it too", d -> text(d, "deployment-id").equals(future.id()));
    until(a, Duration.ofSeconds(90), "compiling", d -> text(d, "deploy-log").contains("Compiling"));

    assertThat(future.cancel(true)).isTrue();
    Deployment record = future.settled().get(2, TimeUnit.MINUTES);

    assertThat(record.status()).isEqualTo(Deployment.Status.CANCELLED);
    assertThat(record.timeline()).extracting(t -> t.stage()).endsWith(DeployStage.BUILDING, DeployStage.CANCELLED);
    assertThat(root("systemctl is-active potions-build-shop.service || true")).isNotEqualTo("active");
    assertThat(root("pgrep -u pb-shop -c || true")).as("no process of the build user left").isEqualTo("0");
    assertThat(root("ls /var/lib/potions-build/shop/releases/ /opt/potions/shop/releases/ 2>&1")).doesNotContain(record.id());
    until(a, Duration.ofSeconds(30), "the page shows it cancelled", d -> stageClass(d, "cancelled").equals("cancelled"));
    assertThat(throughCaddy("shop.portal.test")).contains(v1);
  }
}
