package io.potions.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.potions.Potions;
import io.potions.Server;
import io.potions.app.App;
import io.potions.app.AppSettings;
import io.potions.app.DeployFailedException;
import io.potions.app.DeployFailedException.Reason;
import io.potions.docker.BaseImage;
import io.potions.docker.LocalContainerBuilder;
import io.potions.progress.ProgressEvent;
import io.potions.provision.Distribution;
import io.potions.testkit.RequiresDocker;
import io.potions.testkit.SampleRepository;
import io.potions.testkit.ServerFixture;
import io.potions.testkit.ServerImages;
import io.potions.testkit.ThrowawayServer;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.containers.Container;

/**
 * The local-container builder refuses a mismatched build before anything is sent or built: its base
 * image is a real Debian 13 (trixie) system (the testkit's fresh trixie server image, from
 * debootstrap), the app server a provisioned Debian 12 (bookworm) one. The platform probe runs in a
 * container of that base on this machine's Docker; the deploy fails with PLATFORM_MISMATCH naming
 * the distribution, glibc and OpenSSL, no build image is made from the base (that would be minutes
 * of apt for nothing), no build container or cache volume is left, and the app server received
 * nothing (its app directory is as before, but for the deployment record).
 */
@ExtendWith(RequiresDocker.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalContainerPlatformMismatchE2ETest {
  private ServerFixture fixture;
  private ThrowawayServer appBox;
  private LocalContainerBuilder trixieBuilder;
  private SampleRepository repo;
  private App shop;
  private String cachePrefix;
  private final List<String> buildLines = new CopyOnWriteArrayList<>();

  @BeforeAll
  void start() {
    fixture = ServerFixture.start("container-platform");
    appBox = fixture.box();
    cachePrefix = "potions-e2e-" + UUID.randomUUID().toString().substring(0, 8) + "-";
    trixieBuilder = LocalContainerBuilder.builder(BaseImage.local(ServerImages.serverImage(Distribution.DEBIAN_13)))
        .cacheVolumePrefix(cachePrefix).build();
    fixture.open(trixieBuilder::removeCaches);
    Server appServer = fixture.connect(Potions.builder().releaseBuilder(trixieBuilder).progress(e -> {
      if (e instanceof ProgressEvent.StepOutput o && o.step().equals("build")) {
        buildLines.add(o.line());
      }
    }).build()).provision();
    repo = fixture.repo();
    shop = fixture.app(appServer, "shop");
    shop.create(AppSettings.builder().addDomains("shop.test").https(false).build());
  }

  @AfterAll
  void stop() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void aDebian13BaseImageForADebian12ServerIsRefusedBeforeAnythingIsBuiltOrSent() {
    assertThat(exec(appBox, ". /etc/os-release && echo $VERSION_ID")).isEqualTo("12");
    String listing = "find /opt/potions/shop -path /opt/potions/shop/deployments -prune -o -print | sort | md5sum";
    String appBefore = exec(appBox, listing);

    assertThatThrownBy(() -> shop.deploy("main"))
        .isInstanceOfSatisfying(DeployFailedException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.PLATFORM_MISMATCH))
        .hasMessageContaining("a local container from potions-testkit/server:")
        .hasMessageContaining("nothing was sent")
        .hasMessageContaining("distribution: built on Debian GNU/Linux 13 (trixie), the app server runs Debian GNU/Linux 12 (bookworm)")
        .hasMessageContaining("glibc: built against 2.41, the app server has 2.36")
        .hasMessageContaining("OpenSSL: built against 3.5")
        .hasMessageContaining("the same image as the app server");

    // Refused on the base: no build image was made from it, no build started.
    assertThat(buildLines).noneMatch(l -> l.contains("building the build image"));
    assertThat(buildLines).noneMatch(l -> l.contains("building in a local container"));
    // Nothing left on this machine: no cache volume for the app, no container of the probe.
    var docker = org.testcontainers.DockerClientFactory.instance().client();
    assertThat(docker.listVolumesCmd().exec().getVolumes()).noneMatch(v -> v.getName().startsWith(cachePrefix));
    // Nothing reached the app server: its app directory is as before (but for the record), no
    // release, no content store.
    assertThat(exec(appBox, listing)).isEqualTo(appBefore);
    assertThat(exec(appBox, "ls /opt/potions/shop/releases | wc -l")).isEqualTo("0");
    assertThat(exec(appBox, "test -e /opt/potions/shop/cas && echo sent || echo nothing")).isEqualTo("nothing");
    assertThat(shop.deployments()).anySatisfy(d -> assertThat(d.error()).contains("nothing was sent"));
  }

  private static String exec(ThrowawayServer box, String script) {
    Container.ExecResult r = box.console(script);
    assertThat(r.getExitCode()).as("console: %s%n%s%s", script, r.getStdout(), r.getStderr()).isZero();
    return r.getStdout().trim();
  }
}
