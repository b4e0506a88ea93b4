package io.potions.maven;

import io.potions.app.App;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * {@code potions:eval}: evaluates an Elixir expression in the app's running release and prints its
 * output: {@code mvn potions:eval -Dpotions.expression='IO.puts(MyApp.Repo.aggregate(MyApp.User, :count))'}.
 */
@Mojo(name = "eval", requiresProject = false, threadSafe = true)
public class EvalMojo extends AbstractAppMojo {
  /** The Elixir expression; print what you want back. */
  @Parameter(property = "potions.expression", required = true)
  private String expression;

  /** For Maven. */
  public EvalMojo() {}

  @Override
  protected void run(App app) {
    for (String line : app.eval(expression).split("\n", -1)) {
      getLog().info(line);
    }
  }
}
