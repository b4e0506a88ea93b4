package io.potions.testkit;

import io.potions.Potions;
import io.potions.Server;
import io.potions.app.App;
import io.potions.app.Deployment;
import io.potions.app.DeploymentFuture;
import io.potions.progress.ProgressEvent;
import io.potions.progress.ProgressListener;
import io.potions.provision.Distribution;
import io.potions.source.GitRepositorySource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What an end-to-end test class starts from: a provisioned throwaway server, a sample app repository
 * in a temporary directory, and the SDK instances the class connects to the server. Open it in
 * {@code @BeforeAll} and close it in {@code @AfterAll}: everything is closed in reverse order of
 * opening, the server last, and one failure to close does not keep the rest open.
 */
public final class ServerFixture implements AutoCloseable {
  private final String name;
  private final ThrowawayServer box;
  private final Path dir;
  private final Deque<AutoCloseable> opened = new ArrayDeque<>();
  private SampleRepository repo;

  private ServerFixture(String name, ThrowawayServer box) {
    this.name = name;
    this.box = box;
    try {
      this.dir = Files.createTempDirectory("potions-e2e-" + name + "-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * @param name names the server ({@code NAME-box}), the temporary directory and the sample repository
   * @return a started provisioned server of the default distribution (Debian 12)
   */
  public static ServerFixture start(String name) {
    return started(name, ThrowawayServer.provisioned());
  }

  /**
   * @param name names the server ({@code NAME-box}), the temporary directory and the sample repository
   * @param distribution the server's distribution
   * @return a started provisioned server of that distribution
   */
  public static ServerFixture start(String name, Distribution distribution) {
    return started(name, ThrowawayServer.provisioned(distribution));
  }

  private static ServerFixture started(String name, ThrowawayServer box) {
    ServerFixture fixture = new ServerFixture(name, box);
    try {
      box.start();
    } catch (RuntimeException e) {
      box.stop();
      throw e;
    }
    return fixture;
  }

  /** @return the throwaway server (for {@code console}, its ports and its SSH target) */
  public ThrowawayServer box() {
    return box;
  }

  /** @return a temporary directory of this class's own */
  public Path dir() {
    return dir;
  }

  /** @return the sample app's git repository, created on first use */
  public synchronized SampleRepository repo() {
    if (repo == null) {
      repo = open(SampleRepository.openOrCreate(dir.resolve(name), SampleRepository.sampleAppSources()));
    }
    return repo;
  }

  /**
   * @param other a second server (a build server, another distribution), stopped with the fixture
   * @return it, started
   */
  public ThrowawayServer alsoStart(ThrowawayServer other) {
    open(other).start();
    return other;
  }

  /**
   * @param potions an SDK instance (closed with the fixture)
   * @return the throwaway server as that instance sees it, not yet provisioned
   */
  public Server connect(Potions potions) {
    return open(potions).existingServer(name + "-box", box.sshTarget());
  }

  /**
   * @param server the server, as {@link #connect} gave it
   * @param app the app's name
   * @return the app, deploying from the sample repository
   */
  public App app(Server server, String app) {
    return server.app(app).withSource(GitRepositorySource.local(repo().dir()));
  }

  /**
   * @param <T> its type
   * @param resource something to close with the fixture, before the server
   * @return the resource
   */
  public synchronized <T extends AutoCloseable> T open(T resource) {
    opened.push(resource);
    return resource;
  }

  /**
   * A shell command listing a build's processes on a server or in a container, one command line
   * each, or nothing: mix (elixir runs it as an argument of beam.smp), the compilers, rebar, npm.
   * Each name must be a whole program name (at the start of the line or after a '/', followed by a
   * space or the end), so that a random token in another command line (a UUID with "cc1" in it, in
   * the deploy lock's command) is not taken for a compiler.
   */
  public static final String BUILD_PROCESSES =
      "ps -eo args= | grep -E '(^|/)(mix|elixirc|erlc|rebar3|cc1|gcc|npm)( |$)' | grep -v grep || true";

  /**
   * @param kept where the build's output lines go (or null), besides standard output
   * @return a listener printing each line of the build step as {@code [build] ...}
   */
  public static ProgressListener printingBuildOutput(List<String> kept) {
    return e -> {
      if (e instanceof ProgressEvent.StepOutput o && o.step().equals("build")) {
        if (kept != null) {
          synchronized (kept) {
            kept.add(o.line());
          }
        }
        System.out.println("  [build] " + o.line());
      }
    };
  }

  /**
   * Waits until build output kept by {@link #printingBuildOutput} has a line containing {@code text}.
   *
   * @param kept the list given to {@link #printingBuildOutput}
   * @param text what the line contains
   * @param limit how long to wait before failing
   * @throws InterruptedException when interrupted while waiting
   */
  public static void awaitBuildLine(List<String> kept, String text, java.time.Duration limit)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      synchronized (kept) {
        if (kept.stream().anyMatch(l -> l.contains(text))) {
          return;
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no build line with '" + text + "' within " + limit);
  }

  /**
   * Starts a deploy of {@code branch}, cancels it once its build prints "Compiling" and waits until
   * the builder has stopped (at most two minutes, far less than the slow branch's compile).
   *
   * @param app the app, whose progress listener is {@link #printingBuildOutput} into {@code kept}
   * @param branch a branch that compiles for minutes ({@link SampleRepository#slowToCompileBranch})
   * @param kept the build lines the listener keeps; cleared first
   * @return the settled deployment, for the caller to check how it ended
   * @throws Exception when waiting fails or times out
   */
  public static Deployment cancelledWhileCompiling(App app, String branch, List<String> kept)
      throws Exception {
    synchronized (kept) {
      kept.clear();
    }
    DeploymentFuture future = app.deployAsync(branch);
    awaitBuildLine(kept, "Compiling", java.time.Duration.ofMinutes(3));
    if (!future.cancel(true)) {
      throw new AssertionError("the deploy of " + branch + " could not be cancelled while compiling");
    }
    return future.settled().get(2, TimeUnit.MINUTES);
  }

  @Override
  public synchronized void close() {
    RuntimeException failure = null;
    while (!opened.isEmpty()) {
      try {
        opened.pop().close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException("closing the " + name + " fixture", e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    box.stop();
    if (failure != null) {
      throw failure;
    }
  }
}
