package io.potions.spi;

/**
 * Where and how a commit becomes a Mix release in the app's release directory on its server. The
 * SDK ships {@link io.potions.app.OnServerBuilder} (builds on the app's own server, the zero-setup
 * default); others build elsewhere and send the finished release. A builder is chosen like the
 * reverse proxy: explicitly with {@code Potions.builder().releaseBuilder(...)}, or found through
 * {@link java.util.ServiceLoader}, or the on-server builder when none is on the class path.
 *
 * <p>Named {@code ReleaseBuilder} rather than {@code Builder} so it never clashes with the fluent
 * builders of the API ({@code Potions.Builder}, {@code AppSettings.Builder}).
 */
public interface ReleaseBuilder {
  /** @return a short name for logs and progress, such as {@code on-server} */
  String name();

  /**
   * Builds the request's commit into {@code releases/<releaseId>} of the app on the target server.
   * Must leave nothing the live app uses changed, and nothing behind when it fails.
   *
   * @param request what to build, where, and where its log goes
   * @return the release it made
   * @throws BuildFailure when the build failed, timed out, or could not get its inputs
   */
  BuiltRelease build(BuildRequest request);
}
