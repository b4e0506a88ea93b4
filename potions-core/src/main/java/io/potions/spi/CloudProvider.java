package io.potions.spi;

import io.potions.cloud.CloudServer;
import io.potions.cloud.ServerRequest;
import io.potions.progress.ProgressListener;
import java.util.List;
import java.util.Optional;

/**
 * Where servers come from: DigitalOcean ({@code potions-digitalocean}), the local cloud of
 * throwaway containers ({@code potions-testkit}), or your own. A provider creates a machine that
 * runs the given cloud-init user data on first boot (which pins its SSH host key and authorizes the
 * SDK's key), and finds, lists and destroys the machines the SDK created, by tag.
 */
public interface CloudProvider {
  /** @return a short name for logs and progress, such as {@code digitalocean} */
  String name();

  /**
   * Creates a server and waits until the provider reports it running with a public address.
   * Implementations must not retry a create that may have gone through.
   *
   * @param request what to create, including the user data to boot it with
   * @param listener receives progress while waiting
   * @return the running server
   */
  CloudServer create(ServerRequest request, ProgressListener listener);

  /**
   * @param name a server name
   * @return the SDK-created server with that name, if any
   */
  Optional<CloudServer> find(String name);

  /** @return every server this SDK created in the account */
  List<CloudServer> list();

  /**
   * Destroys a server and what the SDK created for it. Destroying one that is already gone is not
   * an error.
   *
   * @param server the server
   */
  void destroy(CloudServer server);
}
