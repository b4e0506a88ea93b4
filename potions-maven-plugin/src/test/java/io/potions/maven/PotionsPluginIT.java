package io.potions.maven;

import static org.assertj.core.api.Assertions.assertThat;

import io.potions.cloud.CloudServer;
import io.potions.testkit.HttpProbe;
import io.potions.testkit.LocalCloud;
import io.potions.testkit.RequiresDocker;
import io.potions.testkit.SampleRepository;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the plugin's goals in a real Maven build ({@code mvn potions:...}) on a project holding the
 * sample Elixir app, against one server of the local cloud: provision, deploy (creating the app,
 * with a secret from the environment), deploy a change, roll back, status, logs, destroy.
 *
 * <p>The plugin and the SDK come from {@code target/it-repo} (installed there by
 * maven-invoker-plugin's install goal); everything else from the user's local repository, read as a
 * file mirror, so the nested build needs no network.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(RequiresDocker.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PotionsPluginIT {
  private static final String PREFIX = "plugin-it-";
  private static final String DOMAIN = "plugin-sample.localhost";
  private static final String SECRET = "greeting-from-the-environment-5c1e";

  private final String server = PREFIX + ProcessHandle.current().pid();
  private final LocalCloud cloud = LocalCloud.fromSnapshot();
  private Path work;
  private Path project;
  private Path settings;
  private Git git;

  @BeforeAll
  void setUp() throws Exception {
    removeLeftovers();
    work = Files.createTempDirectory("potions-plugin-it-");
    project = work.resolve("project");
    SampleRepository.copy(Path.of(System.getProperty("potions.sampleApp")), project);
    String pom = Files.readString(Path.of(System.getProperty("potions.itProject")).resolve("pom.xml"))
        .replace("@potions.version@", System.getProperty("potions.pluginVersion"));
    Files.writeString(project.resolve("pom.xml"), pom);
    settings = work.resolve("settings.xml");
    Files.writeString(settings, """
        <settings>
          <localRepository>IT_REPO</localRepository>
          <mirrors>
            <mirror>
              <id>user-local-repository</id>
              <mirrorOf>*</mirrorOf>
              <url>USER_REPO_URL</url>
            </mirror>
          </mirrors>
          <profiles>
            <profile>
              <id>user-local-repository</id>
              <repositories>
                <repository>
                  <id>central</id>
                  <url>USER_REPO_URL</url>
                  <releases><checksumPolicy>ignore</checksumPolicy></releases>
                  <snapshots><enabled>false</enabled></snapshots>
                </repository>
              </repositories>
              <pluginRepositories>
                <pluginRepository>
                  <id>central</id>
                  <url>USER_REPO_URL</url>
                  <releases><checksumPolicy>ignore</checksumPolicy></releases>
                  <snapshots><enabled>false</enabled></snapshots>
                </pluginRepository>
              </pluginRepositories>
            </profile>
          </profiles>
          <activeProfiles>
            <activeProfile>user-local-repository</activeProfile>
          </activeProfiles>
          <pluginGroups>
            <pluginGroup>io.potions</pluginGroup>
          </pluginGroups>
        </settings>
        """.replace("IT_REPO", System.getProperty("potions.itRepo"))
        .replace("USER_REPO_URL", Path.of(System.getProperty("potions.userRepo")).toUri().toString()));
    git = Git.init().setDirectory(project.toFile()).setInitialBranch("main").call();
    commit("the sample app and its POM");
  }

  @AfterAll
  void tearDown() throws IOException {
    if (git != null) {
      git.close();
    }
    cloud.find(server).ifPresent(cloud::destroy);
    if (work != null) {
      deleteTree(work);
    }
  }

  @Test
  @Order(1)
  void provisionThenDeployCreatesTheAppWithASecretFromTheEnvironment() throws Exception {
    Run run = mvn("potions:provision", "potions:deploy", "potions:status");
    assertThat(run.exit).as(run.output).isZero();
    assertThat(run.output).contains("Server " + server, "is ready", "Created app plugin-sample",
        "Set [SAMPLE_EXPOSED_ENV, GREETING]", "Deployed", "live in the blue slot", "healthy", "BUILD SUCCESS");
    assertThat(run.output).doesNotContain(SECRET);
    assertThat(get("/")).startsWith("potions-sample 0.1.0 slot=blue");
    assertThat(get("/env/GREETING")).isEqualTo(SECRET);
  }

  @Test
  @Order(2)
  void aChangeIsDeployedAndRolledBack() throws Exception {
    Files.writeString(project.resolve("VERSION"), "0.1.1\n");
    commit("VERSION 0.1.1");
    Run deploy = mvn("potions:deploy");
    assertThat(deploy.exit).as(deploy.output).isZero();
    assertThat(get("/")).startsWith("potions-sample 0.1.1 slot=green");

    Run rollback = mvn("potions:rollback", "potions:status", "-Dpotions.requireHealthy=true");
    assertThat(rollback.exit).as(rollback.output).isZero();
    assertThat(rollback.output).contains("Rolled back app plugin-sample", "rollback", "live in the blue slot");
    assertThat(get("/")).startsWith("potions-sample 0.1.0 slot=blue");
  }

  @Test
  @Order(3)
  void theDayToDayGoalsHelpEnvEvalMaintenanceRestartAndDeleteWork() throws Exception {
    Run help = mvn("potions:help");
    assertThat(help.exit).as(help.output).isZero();
    assertThat(help.output).contains("env ", "eval ", "console ", "maintenance ", "restart ", "delete ");

    Run env = mvn("potions:env", "-Dpotions.set=GREETING", "-Dpotions.unset=NOT_THERE");
    assertThat(env.exit).as(env.output).isZero();
    assertThat(env.output).contains("Set [GREETING]", "GREETING=******").doesNotContain(SECRET);

    Run eval = mvn("potions:eval", "-Dpotions.expression=IO.puts(6 * 7); IO.puts(System.get_env(\"POTIONS_SLOT\"))");
    assertThat(eval.exit).as(eval.output).isZero();
    assertThat(eval.output).contains("[INFO] 42\n[INFO] blue");

    Run on = mvn("potions:maintenance", "-Dpotions.maintenance=on", "-Dpotions.message=Back at noon");
    assertThat(on.exit).as(on.output).isZero();
    CloudServer s = cloud.find(server).orElseThrow();
    HttpProbe.Response closed = HttpProbe.get("127.0.0.1", Integer.parseInt(s.labels().get("httpPort")), DOMAIN, "/");
    assertThat(closed.status()).isEqualTo(503);
    assertThat(closed.body()).contains("Back at noon");

    Run off = mvn("potions:maintenance", "-Dpotions.maintenance=off", "potions:restart");
    assertThat(off.exit).as(off.output).isZero();
    assertThat(off.output).contains("serves traffic again", "Restarted app plugin-sample in the green slot");
    assertThat(get("/")).startsWith("potions-sample 0.1.0 slot=green");

    Run unconfirmed = mvn("potions:delete");
    assertThat(unconfirmed.exit).isNotZero();
    assertThat(unconfirmed.output).contains("Confirm with -Dpotions.confirm=plugin-sample");
    assertThat(get("/")).startsWith("potions-sample 0.1.0");
    Run delete = mvn("potions:delete", "-Dpotions.confirm=plugin-sample");
    assertThat(delete.exit).as(delete.output).isZero();
    assertThat(delete.output).contains("Deleted app plugin-sample (its database was kept)");
  }

  @Test
  @Order(4)
  void logsAndMistakesAreReportedAsBuildFailuresThatSayWhatToDo() throws Exception {
    Run logs = mvn("potions:logs", "-Dpotions.lines=20");
    assertThat(logs.exit).as(logs.output).isZero();
    assertThat(logs.output).contains("potions-app@plugin-sample");

    Run badCloud = mvn("potions:status", "-Dpotions.cloud=nowhere");
    assertThat(badCloud.exit).isNotZero();
    assertThat(badCloud.output).contains("Unknown potions.cloud 'nowhere'");

    Run noServer = mvn("potions:deploy", "-Dpotions.server=plugin-it-missing");
    assertThat(noServer.exit).isNotZero();
    assertThat(noServer.output).contains("does not exist on the local cloud yet: run potions:provision first");

    Run unconfirmed = mvn("potions:destroy");
    assertThat(unconfirmed.exit).isNotZero();
    assertThat(unconfirmed.output).contains("Confirm with -Dpotions.confirm=" + server);
    assertThat(cloud.find(server)).isPresent();
  }

  @Test
  @Order(5)
  void destroyRemovesTheServer() throws Exception {
    Run destroy = mvn("potions:destroy", "-Dpotions.confirm=" + server);
    assertThat(destroy.exit).as(destroy.output).isZero();
    assertThat(destroy.output).contains("Destroyed server " + server);
    assertThat(cloud.find(server)).isEmpty();
  }

  private record Run(int exit, String output) {}

  private Run mvn(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("maven.home"), "bin", "mvn").toString(),
        "-B", "-ntp", "-s", settings.toString(),
        "-Dpotions.server=" + server, "-Dpotions.home=" + work.resolve("home"),
        "-Dorg.slf4j.simpleLogger.log.org.testcontainers=warn",
        "-Dorg.slf4j.simpleLogger.log.org.apache.sshd=warn"));
    cmd.addAll(List.of(args));
    System.out.println("$ " + String.join(" ", cmd));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(project.toFile()).redirectErrorStream(true);
    pb.environment().put("GREETING", SECRET);
    pb.environment().remove("MAVEN_OPTS");
    Process p = pb.start();
    p.getOutputStream().close();
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try (InputStream in = p.getInputStream()) {
      byte[] buf = new byte[8192];
      for (int n; (n = in.read(buf)) > 0; ) {
        captured.write(buf, 0, n);
        System.out.write(buf, 0, n);
      }
    }
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException("mvn " + String.join(" ", args) + " did not finish within 10 minutes");
    }
    System.out.flush();
    return new Run(p.exitValue(), captured.toString(StandardCharsets.UTF_8));
  }

  private String get(String path) throws IOException {
    CloudServer s = cloud.find(server).orElseThrow();
    int port = Integer.parseInt(s.labels().get("httpPort"));
    HttpProbe.Response response = HttpProbe.get("127.0.0.1", port, DOMAIN, path);
    assertThat(response.status()).as(response.body()).isEqualTo(200);
    return response.body();
  }

  private void commit(String message) throws Exception {
    PersonIdent me = new PersonIdent("Potions plugin IT", "plugin-it@potions.invalid");
    git.add().addFilepattern(".").call();
    git.commit().setMessage(message).setAuthor(me).setCommitter(me).call();
  }

  /** Local servers of earlier runs of this test whose JVM is gone (a killed build). */
  private void removeLeftovers() {
    for (CloudServer s : cloud.list()) {
      if (s.name().startsWith(PREFIX) && s.name().substring(PREFIX.length()).matches("\\d+")) {
        long pid = Long.parseLong(s.name().substring(PREFIX.length()));
        if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
          continue;
        }
        cloud.destroy(s);
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
