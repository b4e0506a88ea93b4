package io.potions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.potions.app.App;
import io.potions.app.AppSettings;
import io.potions.app.HealthCheck;
import io.potions.cloud.ServerRequest;
import io.potions.internal.cloud.CloudInit;
import io.potions.provision.BootstrapStep;
import io.potions.provision.Distribution;
import io.potions.source.GitRepositorySource;
import io.potions.spi.AppRoute;
import io.potions.spi.RemoteExecutor;
import io.potions.spi.ReverseProxy;
import io.potions.ssh.HostKeyPolicy;
import io.potions.ssh.SshIdentity;
import io.potions.ssh.SshTarget;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input at every public entry point gets a clear InvalidInputException before anything leaves
 * this process: the server here is a closed port, so any input that slipped through to the network
 * would fail differently (ServerUnreachableException), and nothing can change on a server.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {
  private static final String LONG = "a".repeat(10_000);
  private Potions potions;
  private Server server;
  private App app;
  private GitRepositorySource source;

  @BeforeAll
  void setUp() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    potions = Potions.builder().reverseProxy(new NoProxy()).build();
    server = potions.existingServer(SshTarget.builder().host("127.0.0.1").port(closed)
        .identity(SshIdentity.generateEd25519("t")).hostKeys(HostKeyPolicy.pinned(SshIdentity.generateEd25519("h").publicKey()))
        .build());
    Path repo = Files.createTempDirectory("bad-input-repo");
    try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
      Files.writeString(repo.resolve("a"), "a");
      git.add().addFilepattern("a").call();
      git.commit().setMessage("a").setAuthor("t", "t@t").setCommitter("t", "t@t").call();
    }
    source = GitRepositorySource.local(repo);
    app = server.app("shop").withSource(source);
  }

  @AfterAll
  void tearDown() {
    potions.close();
  }

  Stream<Arguments> badInputs() {
    return Stream.of(
        bad("app name with shell", () -> server.app("shop; rm -rf /"), "App name"),
        bad("app name with ..", () -> server.app("../etc"), "App name"),
        bad("app name unicode", () -> server.app("shöp"), "App name"),
        bad("app name too long", () -> server.app(LONG), "App name"),
        bad("app name reserved", () -> server.app("postgres"), "reserved"),
        bad("domain with space", () -> AppSettings.builder().addDomains("a b.com").build(), "Domain"),
        bad("domain with shell", () -> AppSettings.builder().addDomains("$(id).com").build(), "Domain"),
        bad("domain unicode", () -> AppSettings.builder().addDomains("bücher.de").build(), "Domain"),
        bad("domain too long", () -> AppSettings.builder().addDomains(LONG + ".com").build(), "Domain"),
        bad("no domain", () -> AppSettings.builder().build(), "domain"),
        bad("health path relative", () -> HealthCheck.builder().path("health").build(), "path"),
        bad("health path ..", () -> HealthCheck.builder().path("/a/../../etc/passwd").build(), "path"),
        bad("health path shell", () -> HealthCheck.builder().path("/`id`").build(), "path"),
        bad("health status", () -> HealthCheck.builder().expectedStatus(99).build(), "status"),
        bad("migration newline", () -> AppSettings.builder().addDomains("a.com").migrationCommand("A\nB").build(), "one line"),
        bad("env reserved", () -> app.env().set("STORAGE_DIR", "/x"), "STORAGE_DIR"),
        bad("env key shell", () -> app.env().set("A;B", "x"), "not valid"),
        bad("env key unicode", () -> app.env().set("KÉY", "x"), "not valid"),
        bad("env value newline", () -> app.env().set("KEY", "a\nb"), "line break"),
        bad("env value huge", () -> app.env().set("KEY", LONG + LONG + LONG + LONG), "32768"),
        bad("env unset bad key", () -> app.env().unset("../x"), "not valid"),
        bad("ref with ..", () -> app.deploy("main..evil"), "not a valid git ref"),
        bad("ref option", () -> app.deploy("--upload-pack=evil"), "not a valid git ref"),
        bad("ref shell", () -> app.deploy("main;rm -rf /"), "not a valid git ref"),
        bad("ref empty", () -> app.deploy(""), "not a valid git ref"),
        bad("ref too long", () -> app.deploy(LONG), "not a valid git ref"),
        bad("ssh port", () -> SshTarget.builder().host("h").port(70000).identity(SshIdentity.generateEd25519("x"))
            .hostKeys(HostKeyPolicy.pinned(SshIdentity.generateEd25519("y").publicKey())).build(), "port"),
        bad("ssh host shell", () -> SshTarget.builder().host("h;id").identity(SshIdentity.generateEd25519("x"))
            .hostKeys(HostKeyPolicy.pinned(SshIdentity.generateEd25519("y").publicKey())).build(), "host"),
        bad("ssh user", () -> SshTarget.builder().host("h").user("root;id").identity(SshIdentity.generateEd25519("x"))
            .hostKeys(HostKeyPolicy.pinned(SshIdentity.generateEd25519("y").publicKey())).build(), "user"),
        bad("host key garbage", () -> HostKeyPolicy.pinned("ssh-ed25519 not-base64!"), "OpenSSH public key"),
        bad("server name", () -> request("Web 1", "nyc3", "s-1vcpu-2gb"), "Server name"),
        bad("region shell", () -> request("web-1", "nyc3;id", "s-1vcpu-2gb"), "slug"),
        bad("size unicode", () -> request("web-1", "nyc3", "größe"), "slug"),
        bad("size long", () -> request("web-1", "nyc3", LONG), "slug"),
        bad("key file missing", () -> SshIdentity.fromFile(Path.of("/nonexistent/../id_ed25519")), "does not exist"));
  }

  private static ServerRequest request(String name, String region, String size) {
    return ServerRequest.builder().name(name).region(region).size(size).image("ubuntu-24-04-x64")
        .cloudInit(new CloudInit(List.of("k"), SshIdentity.generateEd25519("h"))).build();
  }

  private static Arguments bad(String label, ThrowingRunnable action, String mentions) {
    return Arguments.of(label, action, mentions);
  }

  @FunctionalInterface
  interface ThrowingRunnable {
    void run() throws Exception;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badInputs")
  void isRefusedClearlyBeforeAnythingIsSent(String label, ThrowingRunnable action, String mentions) {
    assertThatThrownBy(action::run).as(label).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(mentions);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badInputs")
  void theMessageIsShortEnoughToRead(String label, ThrowingRunnable action, String mentions) {
    Consumer<Throwable> readable = e -> assertThat(e.getMessage().length()).as(label).isLessThan(600);
    assertThatThrownBy(action::run).satisfies(readable);
  }

  /** A proxy that must never be reached by bad input. */
  private static final class NoProxy implements ReverseProxy {
    @Override
    public String name() {
      return "none";
    }

    @Override
    public List<BootstrapStep> bootstrapSteps(Distribution distribution) {
      return List.of();
    }

    @Override
    public String versionCommand() {
      return "true";
    }

    @Override
    public void applyRoute(AppRoute route, RemoteExecutor server) {
      throw new AssertionError("bad input reached the proxy");
    }

    @Override
    public void removeRoute(String app, RemoteExecutor server) {
      throw new AssertionError("bad input reached the proxy");
    }
  }
}
