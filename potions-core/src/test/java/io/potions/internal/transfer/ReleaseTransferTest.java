package io.potions.internal.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.potions.InvalidInputException;
import io.potions.PotionsException;
import io.potions.internal.shell.ShellCheck;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The content-addressed transfer, run for real with this machine's bash and GNU tools (the same
 * scripts the servers run): manifests computed by the sender's script, the store's answer, the
 * streamed archive, the receiver's hash check and assembly. Releases are random bytes, so the
 * compressed sizes are honest.
 */
class ReleaseTransferTest {
  private static final String SHA_A = "a".repeat(64);

  @TempDir Path tmp;

  // ---- pure parts ----------------------------------------------------------------------------

  @Test
  void theTextFormRoundTripsAndSortsParentsFirst() {
    ReleaseManifest m = ReleaseManifest.parse("f\t755\t" + SHA_A + "\t10\tbin/app\n"
        + "d\t755\t\t0\tbin\n" + "l\t-\tbin/app\t0\tstart\n" + "d\t555\t-\t0\tro\n");
    assertThat(m.entries()).extracting(ReleaseManifest.Entry::path).containsExactly("bin", "bin/app", "ro", "start");
    assertThat(ReleaseManifest.parse(m.render())).isEqualTo(m);
    assertThat(m.files().get(0).key()).isEqualTo(SHA_A + ".755");
  }

  @Test
  void oneFilePerMissingKeyIsSentAndAKnownKeyIsNot() {
    String b = "b".repeat(64);
    ReleaseManifest m = ReleaseManifest.parse("f\t644\t" + SHA_A + "\t10\tx\nf\t644\t" + SHA_A + "\t10\ty\n"
        + "f\t755\t" + SHA_A + "\t10\tz\nf\t644\t" + b + "\t5\tw\n");
    assertThat(m.keys()).as("in path order").containsExactly(b + ".644", SHA_A + ".644", SHA_A + ".755");
    assertThat(m.missing(List.of(b + ".644"))).extracting(ReleaseManifest.FileEntry::path).containsExactly("x", "z");
    assertThat(m.missing(m.keys())).isEmpty();
    assertThat(m.totalBytes()).isEqualTo(35);
  }

  @Test
  void pathsThatEscapeTheReleaseSetIdModesAndSpecialFilesAreRefusedByName() {
    assertThatThrownBy(() -> ReleaseManifest.parse("f\t644\t" + SHA_A + "\t1\t../etc/passwd\n"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("../etc/passwd");
    assertThatThrownBy(() -> ReleaseManifest.parse("f\t644\t" + SHA_A + "\t1\t/etc/passwd\n"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("/etc/passwd");
    assertThatThrownBy(() -> ReleaseManifest.parse("f\t4755\t" + SHA_A + "\t1\tbin/su\n"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("bin/su").hasMessageContaining("set-id");
    assertThatThrownBy(() -> ReleaseManifest.parse("p\t644\t\t0\ttmp/fifo\n"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("tmp/fifo");
    assertThatThrownBy(() -> ReleaseManifest.parse("f\t644\tnothex\t1\tx\n"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("'x'");
    assertThatThrownBy(() -> ReleaseManifest.parse("f\t644\t" + SHA_A + "\t1\tx\nd\t755\t\t0\tx\n"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("twice");
  }

  @Test
  void theScriptsPassShellCheck() throws Exception {
    Map<String, String> scripts = new LinkedHashMap<>();
    scripts.put("manifest", ShellCheck.REMOTE_PRELUDE + TransferScripts.manifest("/var/lib/potions-build/shop/releases/r1"));
    scripts.put("pack", ShellCheck.REMOTE_PRELUDE + TransferScripts.pack("/var/lib/potions-build/shop/releases/r1"));
    scripts.put("missing", ShellCheck.REMOTE_PRELUDE + TransferScripts.missing("/opt/potions/shop", "r1"));
    scripts.put("receive", ShellCheck.REMOTE_PRELUDE
        + TransferScripts.receive("/opt/potions/shop", "r1", "/var/lib/potions/storage/shop"));
    ShellCheck.assertClean(scripts);
  }

  // ---- the scripts, run -----------------------------------------------------------------------

  @Test
  void aReleaseArrivesWholeAndAOneLineChangeSendsUnderFivePercent() throws Exception {
    Path app = Files.createDirectories(tmp.resolve("server/opt/potions/shop/releases")).getParent();
    Path storage = Files.createDirectories(tmp.resolve("server/storage/shop"));
    Path r1 = fakeRelease(tmp.resolve("build/r1"), "version 1");
    LocalBash server = new LocalBash();
    List<String> log = new ArrayList<>() {
      @Override
      public boolean add(String s) {
        System.out.println(java.time.LocalTime.now() + " " + s);
        return super.add(s);
      }
    };

    ReleaseTransfer.Report first = send(r1, server, app, "r1", storage, log);
    assertThat(first.filesSent()).isEqualTo(first.files() - 1).as("two files share one content");
    assertThat(first.bytesSent()).isGreaterThan(first.releaseBytes() * 9 / 10);
    assertThat(first.releaseName()).isEqualTo("shop");
    assertSameTree(r1, app.resolve("releases/r1"));
    assertThat(Files.readSymbolicLink(app.resolve("releases/r1/storage"))).isEqualTo(storage);

    // One line of the app changes: one file of the release differs.
    Path r2 = copyTree(r1, tmp.resolve("build/r2"));
    Files.writeString(r2.resolve("lib/shop-0.1.0/ebin/Elixir.Shop.beam"), "version 2", StandardCharsets.UTF_8);
    // mix release's :tar step leaves a tarball of the release at its top, different on every build:
    // never part of what is sent (nor of the release on the app server).
    byte[] tarball = new byte[500_000];
    new Random(7).nextBytes(tarball);
    Files.write(r2.resolve("shop-0.1.0.tar.gz"), tarball);
    Files.writeString(r2.resolve("lib/shop-0.1.0/priv.tar.gz"), "a nested archive is part of the app");
    ReleaseTransfer.Report second = send(r2, server, app, "r2", storage, log);
    System.out.printf("release %d bytes in %d files; first transfer %d bytes, one-line change %d bytes (%.2f%%)%n",
        second.releaseBytes(), second.files(), first.bytesSent(), second.bytesSent(), second.sentShare() * 100);
    assertThat(second.filesSent()).isEqualTo(2);
    assertThat(second.sentShare()).isLessThan(0.05);
    assertThat(app.resolve("releases/r2/shop-0.1.0.tar.gz")).doesNotExist();
    Files.delete(r2.resolve("shop-0.1.0.tar.gz"));
    assertSameTree(r2, app.resolve("releases/r2"));
    // Both releases share every unchanged file through the store: one inode, three names.
    assertThat(Files.getAttribute(app.resolve("releases/r2/lib/stdlib/data-1.bin"), "unix:nlink")).isEqualTo(3);

    // r1 is pruned; the next transfer drops the content only r1 had.
    deleteTree(app.resolve("releases/r1"));
    Path r3 = copyTree(r2, tmp.resolve("build/r3"));
    Files.writeString(r3.resolve("lib/shop-0.1.0/ebin/Elixir.Shop.beam"), "version 3", StandardCharsets.UTF_8);
    send(r3, server, app, "r3", storage, log);
    try (var objects = Files.list(app.resolve("cas/objects"))) {
      assertThat(objects.filter(p -> p.getFileName().toString().startsWith(sha("version 1")))).isEmpty();
    }
    try (var objects = Files.list(app.resolve("cas/objects"))) {
      assertThat(objects.filter(p -> p.getFileName().toString().startsWith(sha("version 2")))).hasSize(1);
    }
    assertThat(app.resolve("cas/manifests/r1")).doesNotExist();
  }

  @Test
  void aFileWhoseContentDoesNotMatchItsHashNeverEntersTheStoreAndNoReleaseAppears() throws Exception {
    Path app = Files.createDirectories(tmp.resolve("server/opt/potions/shop/releases")).getParent();
    Path r1 = fakeRelease(tmp.resolve("build/r1"), "version 1");
    ReleaseSource honest = new RemoteReleaseSource(new LocalBash(), r1.toString());
    Path tampered = copyTree(r1, tmp.resolve("build/tampered"));
    Files.writeString(tampered.resolve("lib/shop-0.1.0/ebin/Elixir.Shop.beam"), "evil", StandardCharsets.UTF_8);
    ReleaseSource lying = new ReleaseSource() {
      @Override
      public ReleaseManifest manifest() {
        return honest.manifest();
      }

      @Override
      public void writeArchive(List<String> paths, OutputStream out) {
        new RemoteReleaseSource(new LocalBash(), tampered.toString()).writeArchive(paths, out);
      }
    };
    assertThatThrownBy(() -> ReleaseTransfer.send(lying, new LocalBash(), app.toString(), "r1",
        tmp.resolve("storage").toString(), l -> { }))
        .isInstanceOf(PotionsException.class).hasMessageContaining("could not assemble");
    assertThat(app.resolve("releases/r1")).doesNotExist();
    assertThat(app.resolve("releases/r1.partial")).doesNotExist();
    try (var objects = Files.list(app.resolve("cas/objects"))) {
      assertThat(objects).isEmpty();
    }
    try (var left = Files.list(app.resolve("cas"))) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("objects", "manifests");
    }
  }

  // ---- helpers --------------------------------------------------------------------------------

  private static ReleaseTransfer.Report send(Path release, LocalBash server, Path app, String id, Path storage,
      List<String> log) {
    return ReleaseTransfer.send(new RemoteReleaseSource(new LocalBash(), release.toString()), server,
        app.toString(), id, storage.toString(), log::add);
  }

  /** About 2 MB in 120 files, shaped like a Mix release: bin/, erts, lib/, a read-only dir, links. */
  private static Path fakeRelease(Path root, String appBeam) throws IOException {
    Random random = new Random(42);
    Files.createDirectories(root.resolve("bin"));
    Files.writeString(root.resolve("bin/shop"), "#!/bin/sh\necho shop\n");
    chmod(root.resolve("bin/shop"), "rwxr-xr-x");
    Files.createDirectories(root.resolve("erts-13/bin"));
    for (int i = 0; i < 20; i++) {
      byte[] b = new byte[40_000];
      random.nextBytes(b);
      Files.write(root.resolve("erts-13/bin/tool" + i), b);
      chmod(root.resolve("erts-13/bin/tool" + i), "rwxr-xr-x");
    }
    Files.createDirectories(root.resolve("lib/stdlib"));
    for (int i = 0; i < 95; i++) {
      byte[] b = new byte[12_000];
      random.nextBytes(b);
      Files.write(root.resolve("lib/stdlib/data-" + i + ".bin"), b);
    }
    Files.write(root.resolve("lib/stdlib/copy-of-0.bin"), Files.readAllBytes(root.resolve("lib/stdlib/data-0.bin")));
    Files.createDirectories(root.resolve("lib/shop-0.1.0/ebin"));
    Files.writeString(root.resolve("lib/shop-0.1.0/ebin/Elixir.Shop.beam"), appBeam);
    Files.writeString(root.resolve("lib/shop-0.1.0/with space.txt"), "spaces are fine");
    Files.createSymbolicLink(root.resolve("lib/current"), Path.of("shop-0.1.0"));
    Files.createDirectories(root.resolve("releases/0.1.0"));
    Files.writeString(root.resolve("releases/0.1.0/vm.args"), "-sname shop\n");
    chmod(root.resolve("releases/0.1.0"), "r-xr-xr-x");
    Files.createSymbolicLink(root.resolve("storage"), Path.of("/var/lib/potions/storage/elsewhere"));
    return root;
  }

  private static void assertSameTree(Path expected, Path actual) throws IOException {
    try (var walk = Files.walk(expected)) {
      for (Path p : walk.toList()) {
        Path rel = expected.relativize(p);
        Path q = actual.resolve(rel);
        if (rel.toString().equals("storage") || rel.toString().isEmpty()) {
          continue;
        }
        if (Files.isSymbolicLink(p)) {
          assertThat(Files.readSymbolicLink(q)).as(rel.toString()).isEqualTo(Files.readSymbolicLink(p));
          continue;
        }
        assertThat(Files.getPosixFilePermissions(q)).as(rel + " mode").isEqualTo(Files.getPosixFilePermissions(p));
        if (Files.isRegularFile(p)) {
          assertThat(Files.readAllBytes(q)).as(rel.toString()).isEqualTo(Files.readAllBytes(p));
        }
      }
    }
  }

  private static Path copyTree(Path from, Path to) throws IOException {
    Process p = new ProcessBuilder("cp", "-a", from.toString(), to.toString()).inheritIO().start();
    try {
      assertThat(p.waitFor()).isZero();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
    chmod(to.resolve("releases/0.1.0"), "r-xr-xr-x");
    return to;
  }

  private static void deleteTree(Path dir) throws IOException {
    Process p = new ProcessBuilder("bash", "-c", "chmod -R u+w \"$1\" && rm -rf \"$1\"", "x", dir.toString()).start();
    try {
      assertThat(p.waitFor()).isZero();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void chmod(Path p, String perms) throws IOException {
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
  }

  private static String sha(String text) {
    return io.potions.internal.shell.Hashing.sha256Hex(text);
  }
}
