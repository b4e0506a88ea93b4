package io.potions.builder;

import io.potions.PotionsException;
import io.potions.Server;
import io.potions.app.DeployFailedException.Reason;
import io.potions.app.OnServerBuilder;
import io.potions.internal.provision.ServerLayout;
import io.potions.internal.shell.ScriptTemplate;
import io.potions.internal.shell.Shell;
import io.potions.internal.transfer.ReleaseTransfer;
import io.potions.internal.transfer.RemoteReleaseSource;
import io.potions.spi.BuildFailure;
import io.potions.spi.BuildRequest;
import io.potions.spi.BuiltRelease;
import io.potions.spi.ReleaseBuilder;
import io.potions.spi.RemoteCommand;
import io.potions.spi.RemoteExecutor;
import io.potions.ssh.ExecResult;
import java.util.Objects;

/**
 * Builds on a dedicated build server, never on the app server: a server provisioned by Potions like
 * the app servers (same image, so the same OS, libraries and runtimes), where each app keeps its
 * build user, work tree and {@code deps/}/{@code _build/} caches between builds. The commit goes to
 * the build server as a thin git bundle, the build runs there exactly as the on-server build does
 * (sandboxed, as the app's build user), and the release reaches the app server through the
 * content-addressed transfer: only files the app server lacks travel.
 *
 * <p>Before anything is sent, the build server's platform is compared with the app server's
 * ({@link PlatformCheck}); a mismatch fails with {@link Reason#PLATFORM_MISMATCH}.
 *
 * <pre>{@code
 * Server builder = potions.server("builder-1").size("s-2vcpu-4gb").provision();
 * Potions deployer = Potions.builder().releaseBuilder(BuildServerBuilder.on(builder)).build();
 * }</pre>
 */
public final class BuildServerBuilder implements ReleaseBuilder {
  private final Server buildServer;
  private final OnServerBuilder onServer = new OnServerBuilder();

  private BuildServerBuilder(Server buildServer) {
    this.buildServer = Objects.requireNonNull(buildServer, "buildServer");
  }

  /**
   * @param buildServer a server provisioned by Potions (the same distribution as the app servers);
   *     it is used as its deploy user, and may serve many apps and many app servers
   * @return the builder
   */
  public static BuildServerBuilder on(Server buildServer) {
    return new BuildServerBuilder(buildServer);
  }

  @Override
  public String name() {
    return "build-server " + buildServer.name();
  }

  @Override
  public BuiltRelease build(BuildRequest request) {
    RemoteExecutor builder = buildServer.appExecutor();
    String app = request.app();
    String appDir = ServerLayout.ROOT + "/" + app;
    PlatformFacts here = facts(builder);
    PlatformFacts there = facts(request.target());
    PlatformCheck.require(here, there, "build server " + buildServer.name() + " (" + builder.host() + ")",
        request.target().host());
    request.log().accept("building on " + name() + " (" + here.distribution() + ", " + here.arch() + ")");
    builder.require(RemoteCommand.of("Preparing the app's build area on the build server", prepare(app)));
    BuiltRelease built = onServer.build(new BuildRequest(app, appDir, request.releaseId(), request.source(),
        request.commit(), request.runtime(), request.timeout(), builder, request.log()));
    try {
      ReleaseTransfer.Report sent = ReleaseTransfer.send(
          new RemoteReleaseSource(builder, appDir + "/releases/" + request.releaseId()), request.target(),
          request.appDir(), request.releaseId(), ServerLayout.STORAGE_ROOT + "/" + app, request.log());
      String name = sent.releaseName().isEmpty() ? built.releaseName() : sent.releaseName();
      // What reached the app server; the git bundle went to the build server.
      return new BuiltRelease(name, sent.releaseBytes(), sent.bytesSent());
    } catch (BuildFailure e) {
      throw e;
    } catch (PotionsException e) {
      throw new BuildFailure(Reason.TRANSFER_FAILED, "The release was built on " + name()
          + " but could not reach the app server: " + e.getMessage());
    } finally {
      ExecResult cleaned = builder.run(RemoteCommand.of("Removing the sent release from the build server",
          cleanup(app, request.releaseId())));
      if (!cleaned.ok()) {
        request.log().accept("could not remove release " + request.releaseId() + " from the build server (the next"
            + " build there removes it): " + cleaned.tail(3));
      }
    }
  }

  /** Stops the app's build unit on the build server (the app server runs no build of it). */
  @Override
  public String stop(String app, RemoteExecutor target) {
    return onServer.stop(app, buildServer.appExecutor());
  }

  private static PlatformFacts facts(RemoteExecutor server) {
    return PlatformFacts.parse(server.require(RemoteCommand.of("Reading the platform facts",
        PlatformFacts.script())).out());
  }

  static String prepare(String app) {
    return ScriptTemplate.load(BuildServerBuilder.class, "/io/potions/scripts/builder/prepare.sh")
        .quoted("DIR", ServerLayout.ROOT + "/" + app)
        .raw("BUILD_USER", "sudo -n " + ServerLayout.ADMIN_HELPER + " build-user " + Shell.quote(app))
        .render();
  }

  static String cleanup(String app, String releaseId) {
    return ScriptTemplate.load(BuildServerBuilder.class, "/io/potions/scripts/builder/cleanup.sh")
        .quoted("LINK", ServerLayout.ROOT + "/" + app + "/releases/" + releaseId)
        .raw("DELETE", "sudo -n " + ServerLayout.ADMIN_HELPER + " build-release-delete " + Shell.quote(app) + " "
            + Shell.quote(releaseId))
        .render();
  }

  @Override
  public String toString() {
    return name();
  }
}
