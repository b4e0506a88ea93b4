package io.potions.maven;

import io.potions.Potions;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * {@code potions:destroy}: destroys a cloud server the SDK created, with everything on it (apps,
 * databases, storage) and what the provider created for it (on DigitalOcean, its firewall). It
 * cannot be undone, so it asks for the server's name again: {@code -Dpotions.confirm=web-1}.
 */
@Mojo(name = "destroy", requiresProject = false, threadSafe = true)
public class DestroyMojo extends AbstractPotionsMojo {
  /** The server's name again, to confirm. */
  @Parameter(property = "potions.confirm")
  private String confirm;

  /** For Maven. */
  public DestroyMojo() {}

  @Override
  protected void run(Potions potions) throws MojoFailureException {
    if (cloudProvider().isEmpty()) {
      throw new MojoFailureException("potions:destroy removes servers the SDK created in a cloud; an existing"
          + " server stays yours (delete its apps with the SDK, or rebuild it with your provider).");
    }
    if (!serverName().equals(confirm)) {
      throw new MojoFailureException("Destroying server " + serverName() + " deletes it and everything on it."
          + " Confirm with -Dpotions.confirm=" + serverName() + ".");
    }
    getLog().info(potions.destroy(serverName()) ? "Destroyed server " + serverName()
        : "No server " + serverName() + " on the " + cloudName() + " cloud: nothing to destroy");
  }
}
