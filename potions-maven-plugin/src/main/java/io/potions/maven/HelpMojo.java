package io.potions.maven;

import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugins.annotations.Mojo;

/** {@code potions:help}: the goals and their main properties. */
@Mojo(name = "help", requiresProject = false, threadSafe = true)
public class HelpMojo extends AbstractMojo {
  static final String TEXT = """
      Potions goals (mvn potions:<goal>; every goal takes -Dpotions.server=<name>, -Dpotions.cloud=<cloud>,
      and the app goals -Dpotions.app=<app>, default the project's artifactId):
        provision     create (or find) the server and provision it
        deploy        deploy a ref (-Dpotions.ref=main), creating the app when it does not exist
        status        what is live, healthy or not, the last deployments (-Dpotions.requireHealthy=true)
        logs          the app's log (-Dpotions.lines=50)
        rollback      back to the release before the live one
        restart       start the live release again and switch to it (applies env changes)
        env           list the app's variables (values masked); -Dpotions.set=A,B (values from this
                      build's environment, never the command line), -Dpotions.unset=A
        eval          run Elixir in the live release: -Dpotions.expression='IO.puts(1 + 1)'
        console       an interactive remote IEx on this terminal (end with Ctrl-D)
        maintenance   -Dpotions.maintenance=on -Dpotions.message='Back soon' | off | (none: show)
        delete        delete the app: -Dpotions.confirm=<app> [-Dpotions.dropDatabase=true]
        destroy       destroy the server: -Dpotions.confirm=<server>
        help          this text
      More: docs/maven-plugin.md and docs/operations.md
      """;

  /** For Maven. */
  public HelpMojo() {}

  @Override
  public void execute() {
    TEXT.lines().forEach(getLog()::info);
  }
}
