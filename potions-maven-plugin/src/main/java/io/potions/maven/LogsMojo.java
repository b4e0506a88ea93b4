package io.potions.maven;

import io.potions.app.App;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/** {@code potions:logs}: the last lines of the app's log (both slots, from the server's journal). */
@Mojo(name = "logs", requiresProject = false, threadSafe = true)
public class LogsMojo extends AbstractAppMojo {
  /** How many lines. */
  @Parameter(property = "potions.lines", defaultValue = "50")
  private int lines;

  /** For Maven. */
  public LogsMojo() {}

  @Override
  protected void run(App app) {
    app.logs(lines).forEach(line -> getLog().info(line));
  }
}
