package io.potions.maven;

import io.potions.app.App;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * {@code potions:env}: lists, sets or unsets the app's environment variables. Values are never
 * printed (only their length), and a value to set is read from this build's environment, never from
 * the command line: {@code MAILER_KEY=... mvn potions:env -Dpotions.set=MAILER_KEY}. Changes take
 * effect on the next deploy or {@code potions:restart}.
 */
@Mojo(name = "env", requiresProject = false, threadSafe = true)
public class EnvMojo extends AbstractAppMojo {
  /** Comma-separated names to set, each from the variable of the same name in this build's environment. */
  @Parameter(property = "potions.set")
  private String set;

  /** Comma-separated names to remove. */
  @Parameter(property = "potions.unset")
  private String unset;

  /** For Maven. */
  public EnvMojo() {}

  @Override
  protected void run(App app) throws MojoFailureException {
    if (set != null && !set.isBlank()) {
      java.util.Map<String, String> values = new java.util.LinkedHashMap<>();
      for (String name : set.split(",")) {
        String value = System.getenv(name.trim());
        if (value == null) {
          throw new MojoFailureException("potions.set names " + name.trim() + ", which this build's environment does"
              + " not have: export it first (values are read from the environment, never the command line).");
        }
        values.put(name.trim(), value);
      }
      app.env().setAll(values);
      getLog().info("Set " + values.keySet() + " on app " + app.name() + "; restart (mvn potions:restart) or deploy to apply.");
    }
    if (unset != null && !unset.isBlank()) {
      for (String name : unset.split(",")) {
        app.env().unset(name.trim());
      }
      getLog().info("Removed " + java.util.List.of(unset.split(",")) + " from app " + app.name() + ".");
    }
    var env = app.env().list();
    getLog().info("App " + app.name() + ": " + env.keys().size() + " variable(s)");
    for (String key : env.keys()) {
      getLog().info("  " + key + "=******");
    }
  }
}
