package io.potions.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.potions.InvalidInputException;
import io.potions.github.sim.GitHubSimulation;
import io.potions.http.AuthenticationFailedException;
import io.potions.http.ResourceNotFoundException;
import io.potions.secret.Secret;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** GitHub App auth: a real RS256 JWT verified by the simulation, installation tokens cached and refreshed. */
class GitHubAppAuthTest {
  @RegisterExtension static final GitHubSimulation sim = new GitHubSimulation();

  private Fixture f;

  @BeforeEach
  void setUp() {
    f = new Fixture(sim);
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  @Test
  void theAppJwtIsSignedRs256WithABackdatedIssueTimeAndAShortLife() {
    GitHubAppInfo app = f.appClient().app();

    assertThat(app.slug()).isEqualTo("potions-sim");
    Map<String, Object> claims = sim.jwtClaims().get(0);
    long now = (long) claims.get("receivedAt");
    assertThat(claims.get("alg")).isEqualTo("RS256");
    assertThat(claims.get("iss")).isEqualTo(sim.appId());
    assertThat((long) claims.get("iat")).isBetween(now - 62, now - 58);
    assertThat((long) claims.get("exp") - now).isBetween(530L, 600L);
  }

  @Test
  void theInstallationTokenIsExchangedOnceAndReused() {
    GitHubClient client = f.appClient();

    client.repository(Fixture.REPO);
    client.commit(Fixture.REPO, "main");
    client.installationRepositories();

    assertThat(sim.count("POST", "/app/installations/\\d+/access_tokens")).isEqualTo(1);
    assertThat(sim.exchanges()).filteredOn(e -> e.path().startsWith("/repos/"))
        .allSatisfy(e -> assertThat(e.headers().get("Authorization")).isEqualTo("Bearer " + sim.issuedTokens().get(0)));
  }

  @Test
  void theInstallationTokenIsRefreshedBeforeItExpires() {
    sim.tokenLifetime(Duration.ofMinutes(5).plusSeconds(30));
    GitHubClient client = f.client(f.appAuth()).tokenRefreshMargin(Duration.ofMinutes(5)).build();

    client.repository(Fixture.REPO);
    f.clock.advance(Duration.ofSeconds(20)); // 10 s left before the margin
    client.repository(Fixture.REPO);
    assertThat(sim.issuedTokens()).hasSize(1);
    f.clock.advance(Duration.ofSeconds(20)); // inside the margin: replace it
    client.repository(Fixture.REPO);

    assertThat(sim.issuedTokens()).hasSize(2);
    assertThat(sim.exchanges().get(sim.exchanges().size() - 1).headers().get("Authorization"))
        .isEqualTo("Bearer " + sim.issuedTokens().get(1));
  }

  @Test
  void aRevokedInstallationTokenIsReplacedOnce() {
    GitHubClient client = f.appClient();
    client.repository(Fixture.REPO);
    sim.revokeInstallationTokens();

    assertThat(client.repository(Fixture.REPO).fullName()).isEqualTo(Fixture.REPO);
    assertThat(sim.count("POST", "/app/installations/\\d+/access_tokens")).isEqualTo(2);
  }

  @Test
  void tokensOfAnyLengthAndFormatWorkAndNeverShowUp() throws Exception {
    List<String> formats = List.of("v1." + "a1b2c3d4".repeat(5), "ghs_" + "Z".repeat(300), "tok/with+odd=chars~", "x.y.z");
    List<String> issued = new ArrayList<>(formats);
    sim.tokenFormat(() -> issued.remove(0));
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.err;
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    StringBuilder messages = new StringBuilder();
    try {
      for (int i = 0; i < formats.size(); i++) {
        GitHubClient client = f.appClient();
        assertThat(client.repository(Fixture.REPO).fullName()).isEqualTo(Fixture.REPO);
        messages.append(client).append(client.auth());
        try {
          client.repository("octo-org/missing");
        } catch (ResourceNotFoundException e) {
          messages.append(e.getMessage());
        }
      }
      sim.revokeInstallationTokens();
      sim.tokenFormat(() -> formats.get(3));
      try {
        f.appClient().repository(Fixture.REPO);
      } catch (RuntimeException e) {
        messages.append(e.getMessage());
      }
    } finally {
      System.setErr(original);
    }
    String logs = captured.toString(StandardCharsets.UTF_8);
    assertThat(logs).contains("GET /repos/octo-org/shop -> 200");
    for (String token : formats) {
      assertThat(logs + messages).doesNotContain(token);
    }
    assertThat(messages.toString()).contains("installation").doesNotContain("PRIVATE KEY");
  }

  @Test
  void aWrongPrivateKeyIsRefusedWithAClearMessage() throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
    gen.initialize(2048);
    GitHubClient client = f.client(GitHubAuth.app(sim.appId(), gen.generateKeyPair().getPrivate(),
        sim.installationId())).build();

    assertThatThrownBy(() -> client.repository(Fixture.REPO))
        .isInstanceOf(AuthenticationFailedException.class)
        .hasMessageContaining("JWT").hasMessageContaining(sim.appId()).hasMessageContaining("private key")
        .hasMessageContaining("clock");
  }

  @Test
  void anUnknownInstallationIsNotFound() {
    GitHubClient client = f.client(GitHubAuth.app(sim.appId(), sim.appKey().getPrivate(), 1L)).build();

    assertThatThrownBy(() -> client.repository(Fixture.REPO))
        .isInstanceOf(ResourceNotFoundException.class)
        .hasMessageContaining("installation 1").hasMessageContaining("still installed");
  }

  @Test
  void privateKeysAreReadFromPkcs1AndPkcs8Pem() {
    String pkcs1 = Fixture.pkcs1Pem(sim.appKey().getPrivate());
    String pkcs8 = Fixture.pkcs8Pem(sim.appKey().getPrivate());
    assertThat(pkcs1).startsWith("-----BEGIN RSA PRIVATE KEY-----");

    for (String pem : List.of(pkcs1, pkcs8)) {
      GitHubAuth auth = GitHubAuth.app(sim.appId(), Secret.of(pem), sim.installationId());
      assertThat(f.client(auth).build().app().slug()).isEqualTo("potions-sim");
      assertThat(auth.toString()).doesNotContain(pem.substring(40, 80));
    }
    assertThatThrownBy(() -> GitHubAuth.app("1", Secret.of("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n"), 1))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("encrypted");
    assertThatThrownBy(() -> GitHubAuth.app("1", Secret.of("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----"), 1))
        .isInstanceOf(InvalidInputException.class).hasMessageNotContaining("AAAA");
  }

  @Test
  void appOnlyCallsNeedAnApp() {
    GitHubClient pat = f.patClient("github_pat_123");
    assertThatThrownBy(pat::installationRepositories).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("GitHub App");
    assertThatThrownBy(pat::app).isInstanceOf(InvalidInputException.class);
  }

  @Test
  void theJwtItselfIsStandard() {
    Instant now = Instant.parse("2026-05-01T12:00:00Z");
    String jwt = AppJwt.create("Iv1.abc", sim.appKey().getPrivate(), now);
    String[] parts = jwt.split("\\.");
    assertThat(parts).hasSize(3);
    String payload = new String(java.util.Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
    assertThat(payload).isEqualTo("{\"iat\":" + (now.getEpochSecond() - 60) + ",\"exp\":"
        + (now.getEpochSecond() + 540) + ",\"iss\":\"Iv1.abc\"}");
    assertThat(jwt).doesNotContain("=");
  }
}
