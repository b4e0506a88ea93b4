package io.potions.testkit;

import io.potions.ssh.SshIdentity;
import java.nio.file.Path;

/**
 * The key the testkit logs in with. One key per machine, kept in the user's cache directory, so a
 * provisioned snapshot (whose deploy user authorizes it) stays usable across runs.
 */
public final class TestkitKeys {
  private static SshIdentity identity;

  private TestkitKeys() {}

  /** @return the directory the testkit keeps keys and build scratch in */
  public static Path cacheDir() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("potions-testkit");
  }

  /** @return the testkit's client identity, generated on first use */
  public static synchronized SshIdentity client() {
    if (identity == null) {
      identity = SshIdentity.loadOrGenerate(cacheDir().resolve("id_ed25519"), "potions-testkit");
    }
    return identity;
  }
}
