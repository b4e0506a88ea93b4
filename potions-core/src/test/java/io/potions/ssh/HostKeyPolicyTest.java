package io.potions.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.potions.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import org.junit.jupiter.api.Test;

class HostKeyPolicyTest {
  private static PublicKey key(SshIdentity id) {
    return HostKeyPolicy.parse(id.publicKey());
  }

  @Test
  void aPinnedPolicyAcceptsOnlyThePinnedKey() {
    SshIdentity good = SshIdentity.generateEd25519("good");
    SshIdentity bad = SshIdentity.generateEd25519("bad");
    HostKeyPolicy policy = HostKeyPolicy.pinned(good.publicKey());
    assertThat(policy.refusal("h", 22, key(good))).isEmpty();
    assertThat(policy.refusal("h", 22, key(bad))).hasValueSatisfying(m ->
        assertThat(m).contains("has CHANGED").contains(bad.fingerprint()).contains(good.fingerprint()));
  }

  @Test
  void trustOnFirstUseRemembersTheFirstKeyAndRefusesAChange() throws Exception {
    Path file = Files.createTempDirectory("tofu").resolve("known_hosts");
    SshIdentity first = SshIdentity.generateEd25519("first");
    SshIdentity second = SshIdentity.generateEd25519("second");
    HostKeyPolicy policy = HostKeyPolicy.trustOnFirstUse(file);
    assertThat(policy.refusal("h", 2222, key(first))).isEmpty();
    assertThat(Files.readString(file)).startsWith("[h]:2222 ssh-ed25519 ");
    assertThat(HostKeyPolicy.trustOnFirstUse(file).refusal("h", 2222, key(first))).isEmpty();
    assertThat(HostKeyPolicy.trustOnFirstUse(file).refusal("h", 2222, key(second))).isPresent();
    assertThat(HostKeyPolicy.trustOnFirstUse(file).refusal("other", 22, key(second))).isEmpty();
  }

  @Test
  void garbageIsNotAKey() {
    assertThatThrownBy(() -> HostKeyPolicy.pinned("not a key")).isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> HostKeyPolicy.pinned(java.util.List.of())).isInstanceOf(InvalidInputException.class);
  }

  @Test
  void identitiesSurviveAWriteAndReadWithTheirPublicLine() throws Exception {
    Path file = Files.createTempDirectory("ids").resolve("id_ed25519");
    SshIdentity id = SshIdentity.loadOrGenerate(file, "me@here");
    SshIdentity again = SshIdentity.loadOrGenerate(file, "ignored");
    assertThat(again.publicKey()).isEqualTo(id.publicKey());
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(id.toString()).doesNotContain("PRIVATE").contains("SHA256:");
    assertThat(SshIdentity.parse(id.privateKeyOpenSsh(), "x").fingerprint()).isEqualTo(id.fingerprint());
  }
}
