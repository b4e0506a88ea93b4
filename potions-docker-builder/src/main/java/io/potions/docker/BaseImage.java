package io.potions.docker;

import io.potions.InvalidInputException;
import java.util.Objects;

/**
 * Where the local-container builder's image starts: an image already on the local Docker engine (a
 * Debian root file system made with debootstrap, such as the testkit's, on machines without a
 * registry), or one pulled from a registry when missing (such as {@code debian:bookworm} or
 * {@code hexpm/elixir:1.17.3-erlang-27.1.2-debian-bookworm-20241016}). The builder adds what the
 * build needs that the base lacks (Erlang/OTP and Elixir from the distribution when the base has
 * none, git, a C toolchain, Node.js and npm). The base must be the app servers' distribution and
 * version: the builder compares them before anything is sent.
 */
public final class BaseImage {
  private final String reference;
  private final boolean pull;

  private BaseImage(String reference, boolean pull) {
    Objects.requireNonNull(reference, "reference");
    if (reference.isBlank() || reference.chars().anyMatch(Character::isWhitespace)) {
      throw new InvalidInputException("A base image is named like 'debian:bookworm' (no spaces); got '"
          + reference + "'.");
    }
    this.reference = reference;
    this.pull = pull;
  }

  /**
   * @param image an image the local Docker engine has, such as a debootstrapped {@code debian-bookworm-rootfs}
   * @return the base; a build fails with a clear message when the engine lacks it
   */
  public static BaseImage local(String image) {
    return new BaseImage(image, false);
  }

  /**
   * @param reference a registry image, such as {@code debian:bookworm} or a {@code hexpm/elixir} tag
   * @return the base, pulled on the first build when the engine lacks it
   */
  public static BaseImage pulled(String reference) {
    return new BaseImage(reference, true);
  }

  /** @return the image's name and tag */
  public String reference() {
    return reference;
  }

  /** @return whether a missing image is pulled from its registry */
  public boolean pullWhenMissing() {
    return pull;
  }

  @Override
  public String toString() {
    return reference + (pull ? " (pulled)" : " (local)");
  }
}
