package io.potions.maven;

import io.potions.app.App;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;

/**
 * {@code potions:console}: an interactive remote IEx shell into the app's running release, on this
 * terminal ({@code mvn -q potions:console}). End it with Ctrl-D (end of input) or Ctrl-G q.
 */
@Mojo(name = "console", requiresProject = false, threadSafe = true)
public class ConsoleMojo extends AbstractAppMojo {
  /** For Maven. */
  public ConsoleMojo() {}

  @Override
  protected void run(App app) throws MojoFailureException {
    try (var console = app.console(System.in, System.out)) {
      console.waitFor(java.time.Duration.ofDays(1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MojoFailureException("Interrupted; the console was closed.");
    }
  }
}
