package io.potions.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** known_hosts is replaced in one rename, never rewritten in place. */
class KnownHostsTest {
  private static final String KEY_A = SshIdentity.generateEd25519("a").publicKey();
  private static final String KEY_B = SshIdentity.generateEd25519("b").publicKey();

  @TempDir
  Path dir;

  @Test
  void everyWriteReplacesTheFileByARenameAndLeavesNoTemporaryFile() throws Exception {
    Path file = dir.resolve("known_hosts");
    KnownHosts hosts = new KnownHosts(file);
    hosts.remember("10.0.0.1", 22, KEY_A);
    Object first = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    // A reader holding the old file keeps reading the old content: the file was replaced, not rewritten.
    Path oldView = dir.resolve("old-view");
    Files.createLink(oldView, file);
    String before = Files.readString(oldView);

    hosts.remember("10.0.0.2", 2222, KEY_B);

    Object second = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    assertThat(second).isNotEqualTo(first);
    assertThat(Files.readString(oldView)).isEqualTo(before);
    assertThat(hosts.keysFor("10.0.0.1", 22)).containsExactly(String.join(" ", List.of(KEY_A.split("\\s+")).subList(0, 2)));
    assertThat(hosts.keysFor("10.0.0.2", 2222)).hasSize(1);
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("known_hosts", "old-view");
    }
  }

  @Test
  void rememberingAgainReplacesTheHostsLineAndKeepsTheOthers() {
    KnownHosts hosts = new KnownHosts(dir.resolve("sub/known_hosts"));
    hosts.remember("h", 22, KEY_A);
    hosts.remember("other", 22, KEY_A);
    hosts.remember("h", 22, KEY_B);
    assertThat(hosts.keysFor("h", 22)).hasSize(1).allMatch(k -> KEY_B.startsWith(k));
    assertThat(hosts.keysFor("other", 22)).hasSize(1);
  }

  @Test
  void aWriteThatCannotFinishLeavesTheOldFileWhole() throws Exception {
    Path file = dir.resolve("known_hosts");
    KnownHosts hosts = new KnownHosts(file);
    hosts.remember("h", 22, KEY_A);
    String before = Files.readString(file);
    // The target is now a directory: the rename must fail, and nothing may be half-written.
    Path blocked = dir.resolve("blocked");
    Files.createDirectories(blocked.resolve("known_hosts"));
    Files.writeString(blocked.resolve("known_hosts/x"), "x");
    KnownHosts broken = new KnownHosts(blocked.resolve("known_hosts"));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> broken.remember("h", 22, KEY_B))
        .isInstanceOf(io.potions.PotionsException.class);
    try (var files = Files.list(blocked)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("known_hosts");
    }
    assertThat(Files.readString(file)).isEqualTo(before);
  }
}
