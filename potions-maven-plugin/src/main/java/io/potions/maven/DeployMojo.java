package io.potions.maven;

import io.potions.Potions;
import io.potions.Server;
import io.potions.app.App;
import io.potions.app.AppSettings;
import io.potions.app.DeployFailedException;
import io.potions.app.Deployment;
import io.potions.app.HealthCheck;
import io.potions.source.GitRepositorySource;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * {@code potions:deploy}: deploys a branch, tag or commit of the project's git repository to the
 * app, creating the app first (database, generated env, Caddy route) when it does not exist. The
 * build runs on the server from a git bundle of what it lacks; the new release starts in the
 * standby slot, must pass its health check, then takes the traffic with no failed request. A failed
 * deploy leaves the live release serving and fails the Maven build with the reason and the log's end.
 */
@Mojo(name = "deploy", requiresProject = false, threadSafe = true)
public class DeployMojo extends AbstractPotionsMojo {
  /** The app's name on the server: lowercase letters, digits and hyphens, starting with a letter. */
  @Parameter(property = "potions.app", defaultValue = "${project.artifactId}", required = true)
  private String app;

  /** A directory in the git repository to deploy; the repository's root is found from it. */
  @Parameter(property = "potions.source", defaultValue = "${project.basedir}")
  private File source;

  /** The branch, tag or commit to deploy; the repository's current branch unless set. */
  @Parameter(property = "potions.ref")
  private String ref;

  /** The app's domains (the first is PHX_HOST). Needed when the app is created. */
  @Parameter(property = "potions.domains")
  private List<String> domains;

  /** Whether Caddy obtains certificates for the domains and redirects HTTP to HTTPS. */
  @Parameter(property = "potions.https", defaultValue = "true")
  private boolean https;

  /** The path a new release must answer with 200 before it takes traffic. */
  @Parameter(property = "potions.healthCheckPath", defaultValue = "/health")
  private String healthCheckPath;

  /** An Elixir expression run before traffic moves, such as {@code MyApp.Release.migrate()}. */
  @Parameter(property = "potions.migrationCommand")
  private String migrationCommand;

  /** The build's time limit on the server, in minutes. */
  @Parameter(property = "potions.buildTimeoutMinutes", defaultValue = "15")
  private int buildTimeoutMinutes;

  /**
   * Environment variables to set on the app before deploying. For values that are not secret: the
   * POM is usually committed. Secrets go in {@code secretEnv}.
   */
  @Parameter
  private Map<String, String> env;

  /**
   * Names of environment variables of this build to copy into the app's environment (the values
   * never appear in the POM or the log), such as {@code MAILER_API_KEY} exported by CI.
   */
  @Parameter(property = "potions.secretEnv")
  private List<String> secretEnv;

  /** Provision the server first (creating it on a cloud when it does not exist); quick when it is set up. */
  @Parameter(property = "potions.provision", defaultValue = "false")
  private boolean provision;

  /** For Maven. */
  public DeployMojo() {}

  @Override
  protected void run(Potions potions) throws MojoFailureException, MojoExecutionException {
    Path repository = repositoryRoot();
    String deployRef = ref != null && !ref.isBlank() ? ref.trim() : currentBranch(repository);
    Server server = server(potions, provision);
    if (provision) {
      server.provision();
    }
    App target = server.app(app).withSource(GitRepositorySource.local(repository));
    if (!target.exists()) {
      if (domains == null || domains.isEmpty()) {
        throw new MojoFailureException("App " + app + " does not exist on " + server.name() + " yet, and creating it"
            + " needs its domains: set <domains><domain>shop.example.com</domain></domains> or -Dpotions.domains=...");
      }
      target.create(AppSettings.builder().domains(domains).https(https)
          .healthCheck(HealthCheck.builder().path(healthCheckPath).build())
          .migrationCommand(java.util.Optional.ofNullable(migrationCommand))
          .buildTimeout(java.time.Duration.ofMinutes(buildTimeoutMinutes))
          .build());
      getLog().info("Created app " + app + " on " + server.name() + " for " + domains);
    }
    Map<String, String> vars = new LinkedHashMap<>();
    if (env != null) {
      vars.putAll(env);
    }
    List<String> missing = new ArrayList<>();
    if (secretEnv != null) {
      for (String name : secretEnv) {
        String value = System.getenv(name.trim());
        if (value == null) {
          missing.add(name.trim());
        } else {
          potions.redactor().register(value);
          vars.put(name.trim(), value);
        }
      }
    }
    if (!missing.isEmpty()) {
      throw new MojoFailureException("secretEnv names " + missing + ", which this build's environment does not"
          + " have: export them (in CI, from its secret store) before running potions:deploy.");
    }
    if (!vars.isEmpty()) {
      target.env().setAll(vars);
      getLog().info("Set " + vars.keySet() + " on app " + app + " (values not shown)");
    }
    getLog().info("Deploying " + deployRef + " of " + repository + " to app " + app + " on " + server.name());
    try {
      Deployment d = target.deploy(deployRef);
      getLog().info("Deployed " + d.commit().substring(0, 7) + " to the " + d.slot() + " slot in "
          + MavenProgress.seconds(d.duration()) + " (sent " + d.bytesSent() + " bytes of source); live at "
          + target.manifest().domains());
    } catch (DeployFailedException e) {
      Deployment d = e.deployment();
      if (d != null && d.log() != null) {
        d.log().stream().skip(Math.max(0, d.log().size() - 20)).forEach(line -> getLog().error("  | " + line));
      }
      throw new MojoFailureException("Deploy failed (" + e.reason() + "); the live release keeps serving. "
          + e.getMessage(), e);
    }
  }

  private Path repositoryRoot() throws MojoFailureException {
    try (Repository repo = new FileRepositoryBuilder().findGitDir(source).build()) {
      if (repo.getDirectory() == null || repo.isBare()) {
        throw new MojoFailureException("No git work tree at or above " + source + ": potions:deploy deploys"
            + " a git repository (set potions.source to a directory inside one).");
      }
      return repo.getWorkTree().toPath();
    } catch (IllegalArgumentException | IOException e) {
      throw new MojoFailureException("No git repository at or above " + source + ": potions:deploy deploys"
          + " a git repository (set potions.source to a directory inside one).", e);
    }
  }

  private static String currentBranch(Path repository) throws MojoFailureException {
    try (Repository repo = new FileRepositoryBuilder().findGitDir(repository.toFile()).build()) {
      String branch = repo.getBranch();
      if (branch == null) {
        throw new MojoFailureException("The repository " + repository + " has no commit yet; commit, or set potions.ref.");
      }
      return branch;
    } catch (IOException e) {
      throw new MojoFailureException("Could not read the current branch of " + repository + ": " + e.getMessage(), e);
    }
  }
}
