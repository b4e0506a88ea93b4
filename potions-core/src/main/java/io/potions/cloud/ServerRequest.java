package io.potions.cloud;

import io.potions.InvalidInputException;
import io.potions.internal.cloud.CloudInit;
import java.util.List;
import org.immutables.value.Value;

/** What a {@link io.potions.spi.CloudProvider} is asked to create. */
@Value.Immutable
public abstract class ServerRequest {
  /** Server names: they become host names, so DNS label rules apply. */
  public static final String NAME_PATTERN = "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?";

  /** @return the server's name, unique among the SDK's servers in the account */
  public abstract String name();

  /** @return provider region slug, such as {@code nyc3} */
  public abstract String region();

  /** @return provider size slug, such as {@code s-1vcpu-2gb} */
  public abstract String size();

  /** @return provider image slug, such as {@code ubuntu-24-04-x64} */
  public abstract String image();

  /** @return the first-boot configuration: authorized key and pinned host key */
  public abstract CloudInit cloudInit();

  /** @return tags to put on the server (the SDK's own tag is always added by the provider) */
  public abstract List<String> tags();

  /** @return a new builder */
  public static ImmutableServerRequest.Builder builder() {
    return ImmutableServerRequest.builder();
  }

  /** Refuses values the server could not use, with a message that says what would be accepted. */
  @Value.Check
  protected void check() {
    if (!name().matches(NAME_PATTERN)) {
      throw new InvalidInputException("Server name '" + io.potions.internal.Names.abbreviate(name()) + "' is not valid: use 1-63 lowercase"
          + " letters, digits and hyphens, starting and ending with a letter or digit (it becomes a host name).");
    }
    for (String slug : List.of(region(), size(), image())) {
      if (!slug.matches("[a-z0-9][a-z0-9._-]{0,63}")) {
        throw new InvalidInputException("'" + io.potions.internal.Names.abbreviate(slug) + "' is not a valid region, size or image slug:"
            + " use lowercase letters, digits, dots, hyphens and underscores, as the provider lists them.");
      }
    }
    for (String tag : tags()) {
      if (!tag.matches("[A-Za-z0-9:._-]{1,255}")) {
        throw new InvalidInputException("Tag '" + io.potions.internal.Names.abbreviate(tag) + "' is not valid: letters, digits, ':', '.', '_' and '-' only.");
      }
    }
  }
}
