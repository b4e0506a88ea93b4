package io.potions.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.potions.app.AppSettings;
import io.potions.app.Deployment;
import io.potions.cloud.CloudServer;
import io.potions.ssh.KnownHosts;
import io.potions.ssh.SshIdentity;
import io.potions.ssh.SshTarget;
import io.potions.testkit.HttpProbe;
import io.potions.testkit.LocalCloud;
import io.potions.testkit.RequiresDocker;
import io.potions.testkit.SampleRepository;
import io.potions.testkit.Tee;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs every example against the local cloud, on ONE server they share (as they do for a user after
 * the quick start): the quick start twice (the second run reuses what the first created), the
 * fluent API program, the custom SourceHost, the Java part of the Gradle task, the JShell script,
 * and finally the quick start's cleanup, which must remove the server and the repositories.
 */
@ExtendWith(RequiresDocker.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExamplesE2ETest {
  private static final String PREFIX = "examples-";

  private final String server = PREFIX + ProcessHandle.current().pid();
  private final LocalCloud cloud = LocalCloud.fromSnapshot();
  private Path home;
  private ExampleConfig config;

  @BeforeAll
  void setUp() throws Exception {
    removeLeftovers();
    home = Files.createTempDirectory("potions-examples-home-");
    config = new ExampleConfig(home, server, home.resolve("examples"), SampleRepository.sampleAppSources(), false);
  }

  @AfterAll
  void tearDown() {
    cloud.find(server).ifPresent(cloud::destroy);
    if (home != null && Files.exists(home)) {
      QuickStart.deleteTree(home);
    }
  }

  private String[] quickStartArgs(String command) {
    return new String[] {command, "--server", server, "--home", home.toString(), "--work-dir",
        config.workDir().toString(), "--sample-app", config.sampleApp().toString()};
  }

  @Test
  @Order(1)
  void theQuickStartProvisionsDeploysSwitchesWithNoFailedRequestAndRollsBack() throws Exception {
    Tee tee = Tee.to(System.out);
    int status = QuickStart.run(quickStartArgs("quickstart"), tee.out(), Map.of());
    String out = tee.text();
    assertThat(status).as(out).isZero();
    assertThat(out).contains("Potions quick start on the local cloud", "[1/5] Server \"" + server + "\"",
        "Create server " + server, "Created app sample", "-> 200 potions-sample 0.1.0 slot=blue",
        "VERSION 0.1.0 -> 0.1.1", "-> 200 potions-sample 0.1.1 slot=green", " 0 failed;",
        "Rolled back in", "Try next:", "./potions cleanup");
    assertThat(out).containsPattern("Requests during the deploy: [0-9,]+ requests \\([0-9,]+ of them on one keep-alive connection\\), 0 failed");
    assertThat(get("sample.localhost", "/")).startsWith("potions-sample 0.1.0 slot=blue");
  }

  @Test
  @Order(2)
  void runningTheQuickStartAgainReusesTheServerAndTheApp() throws Exception {
    Tee tee = Tee.to(System.out);
    int status = QuickStart.run(quickStartArgs("quickstart"), tee.out(), Map.of());
    String out = tee.text();
    assertThat(status).as(out).isZero();
    assertThat(out).contains("Found server " + server + " from an earlier run", "0 step(s) changed",
        "App sample already exists: reusing it", "VERSION 0.1.1 -> 0.1.2", " 0 failed;",
        "-> 200 potions-sample 0.1.1 slot=");
    assertThat(out).doesNotContain("Create server " + server);
    assertThat(get("sample.localhost", "/version")).isEqualTo("0.1.1");
  }

  @Test
  @Order(3)
  void theFluentApiExampleDeploysWithItsEnvironment() throws Exception {
    Tee tee = Tee.to(System.out);
    Deployment d = FluentApiExample.run(config, tee.out());
    assertThat(d.succeeded()).isTrue();
    assertThat(tee.text()).contains("Env: {GREETING=******, SAMPLE_EXPOSED_ENV=******}", "healthy=true", "History:");
    assertThat(tee.text()).doesNotContain("hello from the fluent example");
    assertThat(get("fluent.localhost", "/env/GREETING")).isEqualTo("hello from the fluent example");
  }

  @Test
  @Order(4)
  void theCustomSourceHostDeploysAPlainDirectoryAndThenOnlyWhatChanged() throws Exception {
    Tee tee = Tee.to(System.out);
    List<Deployment> both = DirectorySourceExample.run(config, tee.out());
    assertThat(both).allMatch(Deployment::succeeded);
    assertThat(both.get(1).bytesSent()).isLessThan(both.get(0).bytesSent());
    assertThat(tee.text()).contains("[source] ", " in_progress: ", " success: ");
    assertThat(get("from-dir.localhost", "/version")).isEqualTo("0.1.1");
    assertThat(config.work("plain-directory/app/.git")).doesNotExist();
  }

  @Test
  @Order(5)
  void theGradleTasksJavaPartDeploysToAnExistingServer() throws Exception {
    CloudServer s = cloud.find(server).orElseThrow();
    SshTarget target = SshTarget.builder().host(s.publicIpv4()).port(s.sshPort())
        .identity(SshIdentity.fromFile(home.resolve("id_ed25519")))
        .hostKeys(new KnownHosts(home.resolve("known_hosts")).policyFor(s.publicIpv4(), s.sshPort()).orElseThrow())
        .build();
    try (SampleRepository repo = SampleRepository.openOrCreate(config.work("gradle"), config.sampleApp())) {
      List<String> lines = new ArrayList<>();
      Deployment d = GradleDeploy.deploy(repo.dir(), "gradle",
          AppSettings.builder().addDomains("gradle.localhost").https(false).build(), target,
          event -> lines.add(event.toString()));
      assertThat(d.succeeded()).isTrue();
      assertThat(lines).anyMatch(l -> l.contains("switch"));
      assertThat(GradleDeploy.currentBranch(repo.dir())).isEqualTo("main");
    }
    assertThat(get("gradle.localhost", "/version")).isEqualTo("0.1.0");
  }

  @Test
  @Order(6)
  void theJShellScriptProvisionsAndDeploys() throws Exception {
    String javaHome = System.getProperty("java.home");
    Path jshell = Path.of(javaHome, "bin", "jshell");
    List<String> cmd = new ArrayList<>(List.of(Files.isExecutable(jshell) ? jshell.toString() : "jshell",
        "--class-path", System.getProperty("java.class.path"),
        "-R-Dpotions.home=" + home, "-R-Dpotions.server=" + server,
        "-R-Dpotions.workDir=" + config.workDir(), "-R-Dpotions.sampleApp=" + config.sampleApp(),
        "-R-Dorg.slf4j.simpleLogger.log.org.testcontainers=warn",
        System.getProperty("potions.jshellScript")));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(new File("/dev/null")).start();
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try (InputStream in = p.getInputStream()) {
      byte[] buf = new byte[8192];
      for (int n; (n = in.read(buf)) > 0; ) {
        captured.write(buf, 0, n);
        System.out.write(buf, 0, n);
      }
    }
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
    String out = captured.toString(StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("jshell deployment: succeeded", "healthy=true");
    assertThat(get("jshell.localhost", "/")).startsWith("potions-sample 0.1.0");
  }

  @Test
  @Order(7)
  void cleanupRemovesTheServerAndTheRepositories() {
    assertThat(cloud.find(server)).isPresent();
    Tee tee = Tee.to(System.out);
    int status = QuickStart.run(quickStartArgs("cleanup"), tee.out(), Map.of());
    assertThat(status).as(tee.text()).isZero();
    assertThat(tee.text()).contains("removed server " + server, "removed " + config.workDir());
    assertThat(cloud.find(server)).isEmpty();
    assertThat(config.workDir()).doesNotExist();

    Tee again = Tee.to(System.out);
    assertThat(QuickStart.run(quickStartArgs("cleanup"), again.out(), Map.of())).isZero();
    assertThat(again.text()).contains("no server " + server + " (nothing to remove)");
  }

  private String get(String domain, String path) throws Exception {
    CloudServer s = cloud.find(server).orElseThrow();
    HttpProbe.Response r = HttpProbe.get(s.publicIpv4(), Integer.parseInt(s.labels().get("httpPort")), domain, path);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.body().strip();
  }

  /** Servers of earlier runs of this class whose JVM is gone (a killed build). */
  private void removeLeftovers() {
    for (CloudServer s : cloud.list()) {
      String rest = s.name().startsWith(PREFIX) ? s.name().substring(PREFIX.length()) : "";
      if (rest.matches("\\d+") && !ProcessHandle.of(Long.parseLong(rest)).map(ProcessHandle::isAlive).orElse(false)) {
        cloud.destroy(s);
      }
    }
  }
}
