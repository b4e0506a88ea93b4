package io.potions.ssh;

import io.potions.InvalidInputException;
import java.time.Duration;
import org.immutables.value.Value;

/** Where and how to log in: host, port, user, key and host key policy. */
@Value.Immutable
public abstract class SshTarget {
  /** @return host name or IP address */
  public abstract String host();

  /** @return SSH port, 22 unless set */
  @Value.Default
  public int port() {
    return 22;
  }

  /** @return the login user, {@code root} unless set */
  @Value.Default
  public String user() {
    return "root";
  }

  /** @return the key to log in with */
  public abstract SshIdentity identity();

  /** @return how the server's host key is checked; there is no default on purpose */
  public abstract HostKeyPolicy hostKeys();

  /** @return how long to wait for the TCP connection, key exchange and login */
  @Value.Default
  public Duration connectTimeout() {
    return Duration.ofSeconds(15);
  }

  /**
   * @param user another login user on the same host
   * @return a copy that logs in as {@code user}
   */
  public SshTarget asUser(String user) {
    return ImmutableSshTarget.copyOf(this).withUser(user);
  }

  /** @return a new builder */
  public static ImmutableSshTarget.Builder builder() {
    return ImmutableSshTarget.builder();
  }

  /** Refuses values the server could not use, with a message that says what would be accepted. */
  @Value.Check
  protected void check() {
    if (host().isBlank() || !host().matches("[A-Za-z0-9.:\\-\\[\\]]{1,253}")) {
      throw new InvalidInputException("SSH host '" + io.potions.internal.Names.abbreviate(host()) + "' is not a host name or IP address.");
    }
    if (port() < 1 || port() > 65535) {
      throw new InvalidInputException("SSH port " + port() + " is out of range 1-65535.");
    }
    if (!user().matches("[a-z_][a-z0-9_-]{0,31}")) {
      throw new InvalidInputException("SSH user '" + io.potions.internal.Names.abbreviate(user()) + "' is not a valid Linux user name.");
    }
  }

  @Override
  public String toString() {
    return user() + "@" + host() + ":" + port();
  }
}
