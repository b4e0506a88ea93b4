package io.potions.github;

import io.potions.github.git.GitHttpServer;
import io.potions.github.git.TestRepo;
import io.potions.github.sim.GitHubSimulation;
import io.potions.secret.Secret;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A GitHub for tests: the API simulation, a token-protected git HTTP server serving its
 * repositories, and repository {@value #REPO} with one commit on main.
 */
final class Fixture implements AutoCloseable {
  static final String REPO = "octo-org/shop";

  final GitHubSimulation sim;
  final Path dir;
  final TestRepo repo;
  final GitHttpServer git;
  final List<Duration> sleeps = new CopyOnWriteArrayList<>();
  final MutableClock clock = new MutableClock(Instant.now());

  Fixture(GitHubSimulation sim) {
    this.sim = sim;
    try {
      this.dir = Files.createTempDirectory("potions-github-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.repo = TestRepo.create(dir.resolve("git"), REPO, dir.resolve("work"));
    sim.addRepository(REPO, repo.bare);
    this.git = new GitHttpServer(dir.resolve("git"), sim::accepts);
  }

  GitHubAuth appAuth() {
    return GitHubAuth.app(sim.appId(), sim.appKey().getPrivate(), sim.installationId());
  }

  GitHubClient.Builder client(GitHubAuth auth) {
    return GitHubClient.builder().auth(auth).apiUri(sim.baseUri()).callTimeout(Duration.ofSeconds(5))
        .clock(clock).sleeper(sleeps::add);
  }

  GitHubClient appClient() {
    return client(appAuth()).build();
  }

  GitHubClient patClient(String token) {
    return client(GitHubAuth.personalAccessToken(Secret.of(token))).build();
  }

  GitHubSource.Builder source(GitHubClient client) {
    return GitHubSource.builder(client, REPO).gitUri(git.baseUri()).cacheDir(dir.resolve("cache"));
  }

  static String pkcs8Pem(java.security.PrivateKey key) {
    return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
  }

  /** The PKCS#1 form GitHub hands out: the RSAPrivateKey inside the PKCS#8 structure. */
  static String pkcs1Pem(java.security.PrivateKey key) {
    byte[] der = key.getEncoded();
    int i = 0;
    i = skipHeader(der, i); // outer SEQUENCE
    i += 3; // INTEGER 0
    i = skipWhole(der, i); // AlgorithmIdentifier
    int contentStart = skipHeader(der, i); // OCTET STRING
    byte[] pkcs1 = java.util.Arrays.copyOfRange(der, contentStart, der.length);
    return "-----BEGIN RSA PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pkcs1)
        + "\n-----END RSA PRIVATE KEY-----\n";
  }

  private static int skipHeader(byte[] der, int i) {
    int len = der[i + 1] & 0xff;
    return i + 2 + (len >= 0x80 ? len - 0x80 : 0);
  }

  private static int skipWhole(byte[] der, int i) {
    int len = der[i + 1] & 0xff;
    if (len < 0x80) {
      return i + 2 + len;
    }
    int n = len - 0x80;
    int value = 0;
    for (int k = 0; k < n; k++) {
      value = (value << 8) | (der[i + 2 + k] & 0xff);
    }
    return i + 2 + n + value;
  }

  @Override
  public void close() {
    git.close();
    repo.close();
    deleteQuietly(dir);
  }

  static void deleteQuietly(Path root) {
    try (var files = Files.walk(root)) {
      List<Path> all = new ArrayList<>(files.toList());
      java.util.Collections.reverse(all);
      for (Path p : all) {
        Files.deleteIfExists(p);
      }
    } catch (IOException ignored) {
      // a temp directory: the OS cleans it eventually
    }
  }

  /** A clock tests move forward. */
  static final class MutableClock extends Clock {
    private volatile Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
