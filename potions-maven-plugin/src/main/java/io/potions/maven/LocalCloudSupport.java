package io.potions.maven;

import io.potions.spi.CloudProvider;
import org.apache.maven.plugin.MojoFailureException;

/**
 * The local cloud, loaded only when a build asks for it: the testkit (Testcontainers, docker-java)
 * is not on the plugin's class path unless the build adds it to the plugin's dependencies, so
 * nothing of it reaches a build that deploys to DigitalOcean or an existing server. Every
 * reference to a testkit type stays in this class, and is reached by name.
 */
final class LocalCloudSupport {
  private static final String LOCAL_CLOUD = "io.potions.testkit.LocalCloud";
  private static final String DOCKER_UNAVAILABLE = "io.potions.testkit.DockerUnavailableException";

  private LocalCloudSupport() {}

  static CloudProvider provider() throws MojoFailureException {
    try {
      Class<?> localCloud = Class.forName(LOCAL_CLOUD, true, LocalCloudSupport.class.getClassLoader());
      return (CloudProvider) localCloud.getMethod("fromSnapshot").invoke(null);
    } catch (ClassNotFoundException e) {
      throw new MojoFailureException("potions.cloud is local (the default), which runs servers as Docker"
          + " containers on this machine through io.potions:potions-testkit; add it to the plugin's"
          + " dependencies:\n  <plugin>...<artifactId>potions-maven-plugin</artifactId>...\n    <dependencies><dependency>"
          + "<groupId>io.potions</groupId><artifactId>potions-testkit</artifactId><version>(the plugin's)</version>"
          + "</dependency></dependencies>\nor set potions.cloud to digitalocean or existing.", e);
    } catch (java.lang.reflect.InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("The testkit on the class path has no " + LOCAL_CLOUD + ".fromSnapshot()", e);
    }
  }

  static boolean isDockerUnavailable(Throwable e) {
    return e.getClass().getName().equals(DOCKER_UNAVAILABLE);
  }
}
