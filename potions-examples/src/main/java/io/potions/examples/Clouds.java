package io.potions.examples;

import io.potions.digitalocean.DigitalOceanClient;
import io.potions.digitalocean.DigitalOceanProvider;
import io.potions.secret.Secret;
import io.potions.spi.CloudProvider;
import io.potions.spi.SourceHost;
import io.potions.testkit.LocalCloud;
import java.util.Map;
import java.util.Optional;

/**
 * Where the examples get their server and code from, decided by the environment: DigitalOcean when
 * {@code DIGITALOCEAN_TOKEN} is set, else the local cloud (a throwaway server in a Docker container
 * on this machine, which needs no account).
 */
public final class Clouds {
  /** The environment variable holding a DigitalOcean personal access token. */
  public static final String DIGITALOCEAN_TOKEN = "DIGITALOCEAN_TOKEN";
  /** The environment variable naming a GitHub repository ({@code owner/name}) to deploy from. */
  public static final String GITHUB_REPOSITORY = "POTIONS_GITHUB_REPOSITORY";
  /** The environment variable holding a GitHub token for {@link #GITHUB_REPOSITORY}. */
  public static final String GITHUB_TOKEN = "GITHUB_TOKEN";

  private Clouds() {}

  /**
   * A cloud and what to say about it.
   *
   * @param provider the provider
   * @param local whether it is the local cloud (servers are containers on this machine)
   * @param description one line for people
   */
  public record Choice(CloudProvider provider, boolean local, String description) {}

  /**
   * @param env the environment, such as {@code System.getenv()}
   * @return DigitalOcean when a token is set, else the local cloud started from its provisioned snapshot
   */
  public static Choice fromEnvironment(Map<String, String> env) {
    String token = env.get(DIGITALOCEAN_TOKEN);
    if (token != null && !token.isBlank()) {
      CloudProvider digitalOcean = DigitalOceanProvider.builder()
          .client(DigitalOceanClient.builder().token(Secret.of(token.trim())).build())
          .build();
      return new Choice(digitalOcean, false, "DigitalOcean (" + DIGITALOCEAN_TOKEN
          + " is set: a real droplet is created in your account and billed until you clean up)");
    }
    return new Choice(LocalCloud.fromSnapshot(), true,
        "the local cloud (a Debian 12 server in a Docker container on this machine; no account or token needed)");
  }

  /**
   * Hook for deploying from GitHub when {@value #GITHUB_REPOSITORY} and {@value #GITHUB_TOKEN} are set.
   *
   * <p>TODO(potions-github): the GitHub source host is being written in the potions-github module.
   * When it lands, build it here from the two variables (repository and token) and return it; the
   * quick start then deploys that repository's default branch instead of the local sample
   * repository. Until then this returns empty and the examples deploy from a local git repository.
   *
   * @param env the environment
   * @return the GitHub source, once potions-github provides one; empty for now
   */
  public static Optional<SourceHost> gitHubSource(Map<String, String> env) {
    return Optional.empty();
  }

  /**
   * @param env the environment
   * @return whether GitHub credentials are present (so a caller can say they are not used yet)
   */
  public static boolean gitHubConfigured(Map<String, String> env) {
    return notBlank(env.get(GITHUB_REPOSITORY)) && notBlank(env.get(GITHUB_TOKEN));
  }

  private static boolean notBlank(String s) {
    return s != null && !s.isBlank();
  }
}
