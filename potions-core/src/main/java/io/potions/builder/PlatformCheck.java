package io.potions.builder;

import io.potions.app.DeployFailedException.Reason;
import io.potions.spi.BuildFailure;
import java.util.ArrayList;
import java.util.List;

/**
 * Compares where a release was built with where it will run, before anything is sent: the same
 * distribution and version, the same architecture, a C library and an OpenSSL no newer than the
 * app server's. A release built against newer libraries fails on the server at start (missing
 * symbols) or, worse, on the first TLS call; refusing here says why and costs nothing.
 */
public final class PlatformCheck {
  private PlatformCheck() {}

  /**
   * @param build where the release is built
   * @param target the app server
   * @return each difference that keeps the release from running there, for people; empty when it can run
   */
  public static List<String> differences(PlatformFacts build, PlatformFacts target) {
    List<String> out = new ArrayList<>();
    if (!build.osId().equals(target.osId()) || !build.osVersion().equals(target.osVersion())) {
      out.add("distribution: built on " + build.distribution() + ", the app server runs " + target.distribution());
    }
    if (!build.arch().equals(target.arch())) {
      out.add("architecture: built for " + build.arch() + ", the app server is " + target.arch());
    }
    if (!build.glibc().isEmpty() && (target.glibc().isEmpty() || newer(build.glibc(), target.glibc()))) {
      out.add("glibc: built against " + build.glibc() + ", the app server has "
          + (target.glibc().isEmpty() ? "none" : target.glibc()));
    }
    if (!build.openssl().isEmpty() && (target.openssl().isEmpty()
        || newer(majorMinor(build.openssl()), majorMinor(target.openssl())))) {
      out.add("OpenSSL: built against " + build.openssl() + ", the app server has "
          + (target.openssl().isEmpty() ? "none (install libssl)" : target.openssl()));
    }
    return out;
  }

  /**
   * @param build where the release is built
   * @param target the app server
   * @param buildWhere names the build environment for the message, such as {@code build server builder-1}
   * @param targetHost the app server, for the message
   * @throws BuildFailure with {@link Reason#PLATFORM_MISMATCH} naming every difference and the fix
   */
  public static void require(PlatformFacts build, PlatformFacts target, String buildWhere, String targetHost) {
    List<String> diffs = differences(build, target);
    if (diffs.isEmpty()) {
      return;
    }
    throw new BuildFailure(Reason.PLATFORM_MISMATCH, "The release would be built on " + buildWhere
        + ", which does not match the app server " + targetHost + "; nothing was sent.\n  - "
        + String.join("\n  - ", diffs) + "\nA release carries ERTS but links the system's C library and OpenSSL,"
        + " so it must be built on the app server's platform: give the build environment the same image as the"
        + " app server (" + target.distribution() + ", " + target.arch() + "), or build on the server itself"
        + " (the on-server builder).");
  }

  /** Compares dotted versions numerically: 2.41 is newer than 2.36, 3.10 newer than 3.9. */
  static boolean newer(String a, String b) {
    String[] x = a.split("[^0-9]+");
    String[] y = b.split("[^0-9]+");
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      long p = i < x.length && !x[i].isEmpty() ? Long.parseLong(x[i]) : 0;
      long q = i < y.length && !y[i].isEmpty() ? Long.parseLong(y[i]) : 0;
      if (p != q) {
        return p > q;
      }
    }
    return false;
  }

  private static String majorMinor(String version) {
    String[] parts = version.split("\\.");
    return parts.length >= 2 ? parts[0] + "." + parts[1] : version;
  }
}
