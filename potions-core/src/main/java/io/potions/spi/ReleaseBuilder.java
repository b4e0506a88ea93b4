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

  /**
   * Stops the app's build that {@link #build} is running on another thread, because its deploy was
   * cancelled: {@code build} then ends with a {@link BuildFailure} and removes what it made. Called
   * from the cancelling thread, possibly just before the build starts or just after it ended (then
   * there is nothing to stop). Either way the deploy ends cancelled at its next checkpoint; stopping
   * only saves the build's time and the machine's resources. The default stops nothing: the build
   * runs to its end.
   *
   * @param app the app whose build to stop
   * @param target the app's server, as in the build's request
   * @return a line for the deploy's log that says what was stopped, and where
   */
  default String stop(String app, RemoteExecutor target) {
    return name() + " cannot stop a running build: the deploy is cancelled when the build ends";
  }
}
