package io.potions.ssh;

/**
 * A local loopback port forwarded over SSH to a port on the server.
 *
 * @param localPort the port on 127.0.0.1 on this machine
 * @param closer stops the forward
 */
public record PortForward(int localPort, Runnable closer) implements AutoCloseable {
  /** Stops forwarding. */
  @Override
  public void close() {
    closer.run();
  }
}
