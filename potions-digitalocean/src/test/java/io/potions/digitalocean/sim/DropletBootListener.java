package io.potions.digitalocean.sim;

/**
 * Told by the {@link DigitalOceanSimulation} of every droplet creation it accepted, on a worker
 * thread, so a test can stand a real server in for the droplet (for instance a throwaway container
 * booted with the user data). The droplet's create action stays {@code in-progress} until this
 * returns; it ends {@code errored} if this throws.
 */
@FunctionalInterface
public interface DropletBootListener {
  /**
   * @param droplet what was created, user data included
   * @return the public IPv4 address the droplet reports once active, or {@code null} for a made-up
   *     one
   * @throws Exception to make the create action fail
   */
  String onDropletCreated(CreatedDroplet droplet) throws Exception;
}
