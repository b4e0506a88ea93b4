package io.potions.spi;

import io.potions.app.RuntimeVersions;
import io.potions.source.SourceCommit;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What a {@link ReleaseBuilder} is asked to build.
 *
 * @param app the app's name
 * @param appDir the app's directory on the target server ({@code /opt/potions/<app>})
 * @param releaseId the release id; the release goes to {@code <appDir>/releases/<releaseId>}
 * @param source where the commit comes from
 * @param commit the commit to build
 * @param runtime the runtime versions pinned in the app's settings (distribution default when none)
 * @param timeout the build's time limit
 * @param target the app's server, as the deploy user
 * @param log receives each log line of the build (redacted by the SDK)
 * @param limits what a build next to live apps may take from their server
 */
public record BuildRequest(String app, String appDir, String releaseId, SourceHost source, SourceCommit commit,
    RuntimeVersions runtime, Duration timeout, RemoteExecutor target, Consumer<String> log, BuildLimits limits) {
  /**
   * Checks that nothing is missing.
   *
   * @param app the app's name
   * @param appDir the app's directory on the target server
   * @param releaseId the release id
   * @param source where the commit comes from
   * @param commit the commit to build
   * @param runtime the pinned runtime versions
   * @param timeout the build's time limit
   * @param target the app's server, as the deploy user
   * @param log receives each log line of the build
   * @param limits what a build next to live apps may take from their server
   */
  public BuildRequest {
    Objects.requireNonNull(app, "app");
    Objects.requireNonNull(appDir, "appDir");
    Objects.requireNonNull(releaseId, "releaseId");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(commit, "commit");
    Objects.requireNonNull(runtime, "runtime");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(log, "log");
    Objects.requireNonNull(limits, "limits");
  }

  /**
   * A request with the default {@link BuildLimits}.
   *
   * @param app the app's name
   * @param appDir the app's directory on the target server
   * @param releaseId the release id
   * @param source where the commit comes from
   * @param commit the commit to build
   * @param runtime the pinned runtime versions
   * @param timeout the build's time limit
   * @param target the app's server, as the deploy user
   * @param log receives each log line of the build
   */
  public BuildRequest(String app, String appDir, String releaseId, SourceHost source, SourceCommit commit,
      RuntimeVersions runtime, Duration timeout, RemoteExecutor target, Consumer<String> log) {
    this(app, appDir, releaseId, source, commit, runtime, timeout, target, log, BuildLimits.DEFAULTS);
  }
}
