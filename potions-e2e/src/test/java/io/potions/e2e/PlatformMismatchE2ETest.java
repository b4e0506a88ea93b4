package io.potions.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.potions.Potions;
import io.potions.Server;
import io.potions.app.App;
import io.potions.app.AppSettings;
import io.potions.app.DeployFailedException;
import io.potions.app.DeployFailedException.Reason;
import io.potions.builder.BuildServerBuilder;
import io.potions.testkit.RequiresDocker;
import io.potions.testkit.SampleRepository;
import io.potions.provision.Distribution;
import io.potions.testkit.ServerFixture;
import io.potions.testkit.ThrowawayServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.containers.Container;

/**
 * A release that would be built on Debian 13 (trixie) for a Debian 12 (bookworm) app server is
 * refused before anything is sent: the build server is a real Debian 13 machine reached over SSH as
 * its deploy user, the app server a provisioned Debian 12 one; the deploy fails with
 * PLATFORM_MISMATCH naming the distribution, glibc and OpenSSL, and neither server received
 * anything (no commit on the build server, no manifest, store or release on the app server).
 *
 * <p>The Debian 13 machine is not provisioned by Potions (this branch's bootstrap supports Debian 12
 * and Ubuntu 24.04): the test gives it a {@code deploy} user with the SDK's key, which is all the
 * builder touches before its platform check.
 */
@ExtendWith(RequiresDocker.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PlatformMismatchE2ETest {
  private ServerFixture fixture;
  private ThrowawayServer appBox;
  private ThrowawayServer trixieBox;
  private SampleRepository repo;
  private App shop;

  @BeforeAll
  void start() {
    fixture = ServerFixture.start("platform");
    appBox = fixture.box();
    // The same Debian 13 snapshot Debian13E2ETest uses: a real provisioned trixie server.
    trixieBox = fixture.alsoStart(ThrowawayServer.provisioned(Distribution.DEBIAN_13));
    Server trixie = fixture.open(Potions.builder().build()).existingServer("trixie-builder", trixieBox.sshTarget());
    Server appServer = fixture.connect(Potions.builder().releaseBuilder(BuildServerBuilder.on(trixie)).build())
        .provision();
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
  void aDebian13BuildForADebian12ServerIsRefusedBeforeAnythingIsSent() {
    assertThat(exec(trixieBox, ". /etc/os-release && echo $VERSION_ID")).isEqualTo("13");
    assertThat(exec(appBox, ". /etc/os-release && echo $VERSION_ID")).isEqualTo("12");
    // Everything of the app but its deployment history (the failed deploy is recorded there).
    String listing = "find /opt/potions/shop -path /opt/potions/shop/deployments -prune -o -print | sort | md5sum";
    String appBefore = exec(appBox, listing);

    assertThatThrownBy(() -> shop.deploy("main"))
        .isInstanceOfSatisfying(DeployFailedException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.PLATFORM_MISMATCH))
        .hasMessageContaining("nothing was sent")
        .hasMessageContaining("distribution: built on Debian GNU/Linux 13 (trixie), the app server runs Debian GNU/Linux 12 (bookworm)")
        .hasMessageContaining("glibc: built against 2.41, the app server has 2.36")
        .hasMessageContaining("OpenSSL: built against 3.5")
        .hasMessageContaining("the same image as the app server");

    // Nothing reached either server: no app layout or commit on the build server, no manifest,
    // store or release on the app server (its app directory is as before, but for the record).
    // (The build server is a provisioned server: /opt/potions exists, but nothing of this app.)
    assertThat(exec(trixieBox, "test -e /opt/potions/shop || test -e /var/lib/potions-build/shop"
        + " && echo sent || echo nothing")).isEqualTo("nothing");
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
