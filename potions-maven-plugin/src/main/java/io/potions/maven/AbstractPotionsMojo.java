package io.potions.maven;

import io.potions.CloudServerRequest;
import io.potions.InvalidInputException;
import io.potions.Potions;
import io.potions.PotionsException;
import io.potions.Server;
import io.potions.cloud.CloudServer;
import io.potions.digitalocean.DigitalOceanClient;
import io.potions.digitalocean.DigitalOceanProvider;
import io.potions.secret.Secret;
import io.potions.spi.CloudProvider;
import io.potions.ssh.HostKeyPolicy;
import io.potions.ssh.SshIdentity;
import io.potions.ssh.SshTarget;
import io.potions.app.domain.AcmeSettings;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * What every Potions goal shares: which server, and how to reach it. A server comes from a cloud
 * ({@code local}: a throwaway container on this machine; {@code digitalocean}) by name, or is one
 * you already have ({@code existing}: host, user, key and pinned host key). Secrets never go in the
 * POM: the DigitalOcean token is read from {@code DIGITALOCEAN_TOKEN} (or the
 * {@code potions.digitalocean.token} property, for instance from a {@code settings.xml} profile).
 */
public abstract class AbstractPotionsMojo extends AbstractMojo {
  /**
   * Where the server comes from: {@code local} (a Docker container on this machine, no account
   * needed), {@code digitalocean}, or {@code existing} (a server you already have, see {@code host}).
   */
  @Parameter(property = "potions.cloud", defaultValue = "local")
  private String cloud;

  /** The server's name in the cloud (a host name label); ignored for {@code existing}. */
  @Parameter(property = "potions.server", defaultValue = "web-1")
  private String server;

  /** The cloud region for a new server: {@code nyc3} on DigitalOcean unless set. */
  @Parameter(property = "potions.region")
  private String region;

  /** The size for a new server: {@code s-1vcpu-2gb} on DigitalOcean unless set. */
  @Parameter(property = "potions.size")
  private String size;

  /** The image for a new server: {@code ubuntu-24-04-x64} on DigitalOcean unless set. */
  @Parameter(property = "potions.image")
  private String image;

  /** For {@code existing}: the server's host name or IP address. */
  @Parameter(property = "potions.host")
  private String host;

  /** For {@code existing}: the SSH port. */
  @Parameter(property = "potions.sshPort", defaultValue = "22")
  private int sshPort;

  /** For {@code existing}: the user to log in as (root, or a user with passwordless sudo). */
  @Parameter(property = "potions.sshUser", defaultValue = "root")
  private String sshUser;

  /**
   * For {@code existing}: the OpenSSH private key to log in with (no passphrase); the SDK's own key
   * ({@code <home>/id_ed25519}) unless set.
   */
  @Parameter(property = "potions.sshKey")
  private File sshKey;

  /**
   * For {@code existing}: the server's SSH host key to pin, as {@code ssh-keyscan -t ed25519 HOST}
   * prints it without the host name ({@code ssh-ed25519 AAAA...}). Either this or {@code knownHosts}.
   */
  @Parameter(property = "potions.hostKey")
  private String hostKey;

  /**
   * For {@code existing}: trust the server's host key on first use and remember it in this file
   * (OpenSSH known_hosts format); later runs refuse a changed key. Either this or {@code hostKey}.
   */
  @Parameter(property = "potions.knownHosts")
  private File knownHosts;

  /** The SDK's home: its SSH key and the host keys of the servers it created. */
  @Parameter(property = "potions.home", defaultValue = "${user.home}/.potions")
  private File home;

  /**
   * The DigitalOcean API token. Leave it out of the POM: it is read from the environment variable
   * {@code DIGITALOCEAN_TOKEN} when this is not set.
   */
  @Parameter(property = "potions.digitalocean.token")
  private String digitalOceanToken;

  /** Print every step's output, such as the build log (otherwise shown with {@code mvn -X}). */
  @Parameter(property = "potions.verbose", defaultValue = "false")
  private boolean verbose;

  /**
   * Where Caddy obtains the certificates of apps served over HTTPS: {@code letsencrypt} (the
   * default), {@code letsencrypt-staging} for trials, or another ACME directory's https URL.
   */
  @Parameter(property = "potions.acme", defaultValue = "letsencrypt")
  private String acme;

  /** A PEM file with the root the ACME directory's own TLS is signed by (a private CA). */
  @Parameter(property = "potions.acmeRoot")
  private File acmeRoot;

  /** The ACME account's contact email (expiry and problem notices). */
  @Parameter(property = "potions.acmeEmail")
  private String acmeEmail;

  /**
   * A base domain under which every app created by these goals also answers, at
   * {@code <app>.<base>} (point the wildcard record {@code *.<base>} at the server once).
   */
  @Parameter(property = "potions.baseDomain")
  private String baseDomain;

  /** Skip this goal. */
  @Parameter(property = "potions.skip", defaultValue = "false")
  private boolean skip;

  private CloudProvider provider;

  /** For Maven. */
  protected AbstractPotionsMojo() {}

  @Override
  public final void execute() throws MojoExecutionException, MojoFailureException {
    if (skip) {
      getLog().info("Skipped (potions.skip)");
      return;
    }
    try (Potions potions = potions()) {
      run(potions);
    } catch (PotionsException e) {
      if (LocalCloudSupport.isDockerUnavailable(e)) {
        throw new MojoFailureException(e.getMessage() + " (the 'local' cloud runs servers as Docker containers;"
            + " or set potions.cloud to digitalocean or existing)", e);
      }
      throw new MojoFailureException(e.getMessage(), e);
    }
  }

  /**
   * The goal's work.
   *
   * @param potions the SDK, configured from the parameters; closed afterwards
   * @throws MojoFailureException when the goal cannot do what was asked (bad configuration, a
   *     failed deploy): the message says what to do
   * @throws MojoExecutionException when something unexpected broke
   */
  protected abstract void run(Potions potions) throws MojoFailureException, MojoExecutionException;

  private Potions potions() throws MojoFailureException {
    Potions.Builder builder = Potions.builder().home(home.toPath())
        .progress(new MavenProgress(getLog(), verbose));
    Optional<CloudProvider> cloudProvider = cloudProvider();
    cloudProvider.ifPresent(builder::cloud);
    try {
      builder.acme(acmeSettings(acme, acmeRoot == null ? null : acmeRoot.toPath(), acmeEmail));
      if (baseDomain != null && !baseDomain.isBlank()) {
        builder.baseDomain(baseDomain.strip());
      }
    } catch (InvalidInputException e) {
      throw new MojoFailureException(e.getMessage(), e);
    }
    return builder.build();
  }

  /**
   * @param directory {@code letsencrypt}, {@code letsencrypt-staging} or an ACME directory URL
   * @param root a PEM file to trust for the directory's own TLS, or null
   * @param email the account email, or null
   * @return the ACME settings
   * @throws InvalidInputException when one of them is not usable (the message says which)
   */
  static AcmeSettings acmeSettings(String directory, Path root, String email) {
    String name = directory == null ? "" : directory.strip();
    AcmeSettings settings = switch (name.toLowerCase(Locale.ROOT)) {
      case "", "letsencrypt" -> AcmeSettings.letsEncrypt();
      case "letsencrypt-staging" -> AcmeSettings.letsEncryptStaging();
      default -> {
        if (!name.startsWith("https://")) {
          throw new InvalidInputException("potions.acme is '" + name + "': use letsencrypt, letsencrypt-staging"
              + " or an ACME directory's https URL.");
        }
        yield AcmeSettings.directory(name);
      }
    };
    if (root != null) {
      try {
        settings = settings.withDirectoryRootPem(Files.readString(root));
      } catch (IOException e) {
        throw new InvalidInputException("potions.acmeRoot: cannot read " + root + " (" + e.getMessage() + ").");
      }
    }
    if (email != null && !email.isBlank()) {
      settings = settings.withEmail(email);
    }
    return settings;
  }

  /**
   * @return the configured cloud, or empty for {@code existing}
   * @throws MojoFailureException when the cloud is unknown or its credentials are missing
   */
  protected final Optional<CloudProvider> cloudProvider() throws MojoFailureException {
    if (provider != null) {
      return Optional.of(provider);
    }
    switch (cloudName()) {
      case "local":
        provider = LocalCloudSupport.provider();
        break;
      case "digitalocean":
        String token = digitalOceanToken != null && !digitalOceanToken.isBlank() ? digitalOceanToken
            : System.getenv(DigitalOceanClient.TOKEN_ENV);
        if (token == null || token.isBlank()) {
          throw new MojoFailureException("potions.cloud is digitalocean but no token is set: export "
              + DigitalOceanClient.TOKEN_ENV + " (a personal access token with write scope), or set the"
              + " potions.digitalocean.token property in a settings.xml profile. Never put it in the POM.");
        }
        provider = DigitalOceanProvider.builder()
            .client(DigitalOceanClient.builder().token(Secret.of(token.trim())).build()).build();
        break;
      case "existing":
        return Optional.empty();
      default:
        throw new MojoFailureException("Unknown potions.cloud '" + cloud + "': use local, digitalocean or existing.");
    }
    return Optional.of(provider);
  }

  /** @return the cloud's name, lowercase */
  protected final String cloudName() {
    return cloud == null ? "local" : cloud.trim().toLowerCase(Locale.ROOT);
  }

  /** @return the server's name (for cloud servers) */
  protected final String serverName() {
    return server;
  }

  /**
   * The server, connected: found (or, with {@code create}, created) in the cloud, or the existing
   * one at {@code host}.
   *
   * @param potions the SDK
   * @param create whether a cloud server that does not exist yet may be created
   * @return the server, not provisioned by this call
   * @throws MojoFailureException when it does not exist (and may not be created) or cannot be reached
   */
  protected final Server server(Potions potions, boolean create) throws MojoFailureException {
    Optional<CloudProvider> cloudProvider = cloudProvider();
    if (cloudProvider.isEmpty()) {
      return potions.existingServer(existingTarget(potions));
    }
    if (!create) {
      Optional<CloudServer> found = cloudProvider.get().find(server);
      if (found.isEmpty()) {
        throw new MojoFailureException("Server " + server + " does not exist on the " + cloudName()
            + " cloud yet: run potions:provision first (mvn potions:provision potions:deploy).");
      }
    }
    CloudServerRequest request = potions.server(server);
    boolean local = cloudName().equals("local");
    request.region(region != null ? region : local ? "local" : "nyc3");
    request.size(size != null ? size : local ? "container" : "s-1vcpu-2gb");
    if (image != null) {
      request.image(image);
    }
    return request.connect();
  }

  private SshTarget existingTarget(Potions potions) throws MojoFailureException {
    if (host == null || host.isBlank()) {
      throw new MojoFailureException("potions.cloud is existing but potions.host is not set: give the server's"
          + " host name or IP address.");
    }
    HostKeyPolicy policy;
    if (hostKey != null && !hostKey.isBlank()) {
      policy = HostKeyPolicy.pinned(hostKey.trim());
    } else if (knownHosts != null) {
      policy = HostKeyPolicy.trustOnFirstUse(knownHosts.toPath());
    } else {
      throw new MojoFailureException("Set potions.hostKey (the server's host key, from 'ssh-keyscan -t ed25519 "
          + host + "' run where you trust the network, or from the provider's console) or potions.knownHosts"
          + " (a file: the key is trusted on first use and pinned afterwards). There is no accept-all option.");
    }
    SshIdentity identity = sshKey != null ? SshIdentity.fromFile(sshKey.toPath()) : potions.identity();
    try {
      return SshTarget.builder().host(host.trim()).port(sshPort).user(sshUser).identity(identity)
          .hostKeys(policy).build();
    } catch (InvalidInputException e) {
      throw new MojoFailureException(e.getMessage(), e);
    }
  }
}
