package io.potions.portal;

import io.potions.InvalidInputException;
import io.potions.Potions;
import io.potions.digitalocean.DigitalOceanClient;
import io.potions.digitalocean.DigitalOceanProvider;
import io.potions.github.GitHubAuth;
import io.potions.github.GitHubClient;
import io.potions.github.GitHubSource;
import io.potions.secret.Secret;
import io.potions.spi.CloudProvider;
import io.potions.spi.SourceHost;
import io.potions.testkit.LocalCloud;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;

/**
 * Starts the portal: on the local cloud (server containers on this machine) by default, on
 * DigitalOcean when {@code DIGITALOCEAN_TOKEN} is set. {@code GITHUB_TOKEN} lets apps take their
 * code from {@code github:owner/repo}; {@code POTIONS_WEBHOOK_SECRET} is the secret GitHub signs
 * pushes with (auto-deploy). {@code PORTAL_PORT} chooses the port (default 7070).
 */
public final class PortalMain {
  private PortalMain() {}

  /**
   * @param args none
   * @throws InterruptedException when stopped
   */
  public static void main(String[] args) throws InterruptedException {
    String doToken = System.getenv(DigitalOceanClient.TOKEN_ENV);
    CloudProvider cloud = doToken == null || doToken.isBlank() ? LocalCloud.fromSnapshot()
        : DigitalOceanProvider.builder().client(DigitalOceanClient.builder().token(Secret.of(doToken)).build()).build();
    Potions potions = Potions.builder().cloud(cloud).build();
    String secret = System.getenv("POTIONS_WEBHOOK_SECRET");
    if (secret == null || secret.isBlank()) {
      byte[] random = new byte[32];
      new SecureRandom().nextBytes(random);
      secret = HexFormat.of().formatHex(random);
      System.out.println("No POTIONS_WEBHOOK_SECRET set: auto-deploy accepts only pushes signed with a random"
          + " secret nobody knows. Set it (and the same secret on the GitHub webhook) to use auto-deploy.");
    }
    Portal portal = new Portal(potions, sources(), Secret.of(secret))
        .start(Integer.parseInt(System.getenv().getOrDefault("PORTAL_PORT", "7070")));
    System.out.println("Potions portal on http://127.0.0.1:" + portal.port() + "/ (" + cloud.name() + " cloud)."
        + " Ctrl-C stops it; servers keep running.");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      portal.close();
      potions.close();
    }));
    new CountDownLatch(1).await();
  }

  /** Local paths always; {@code github:owner/repo} when a GitHub token is configured. */
  static Function<String, SourceHost> sources() {
    Function<String, SourceHost> local = Portal.localSources();
    String token = System.getenv("GITHUB_TOKEN");
    return text -> {
      if (text != null && text.startsWith("github:")) {
        if (token == null || token.isBlank()) {
          throw new InvalidInputException("Set GITHUB_TOKEN before starting the portal to deploy from GitHub.");
        }
        GitHubClient client = GitHubClient.builder().auth(GitHubAuth.personalAccessToken(Secret.of(token))).build();
        return GitHubSource.builder(client, text.substring("github:".length())).build();
      }
      return local.apply(text == null ? "" : text);
    };
  }
}
