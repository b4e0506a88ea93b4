package io.potions.secret;

import static org.assertj.core.api.Assertions.assertThat;

import io.potions.internal.cloud.CloudInit;
import io.potions.ssh.SshIdentity;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedactorTest {
  @Test
  void registeredSecretsAreMaskedLongestFirst() {
    Redactor r = new Redactor();
    r.register("abcd");
    r.register(Secret.of("abcdefgh"));
    r.register("xy");  // too short to mask without shredding ordinary text
    assertThat(r.redact("token=abcdefgh and abcd and xy")).isEqualTo("token=****** and ****** and xy");
  }

  @Test
  void secretsNeverPrint() {
    assertThat(Secret.of("hunter2").toString()).isEqualTo("******");
    assertThat(Secret.of("a")).isEqualTo(Secret.of("a"));
  }

  @Test
  void cloudInitCarriesThePinnedHostKeyAndReadsBack() {
    SshIdentity host = SshIdentity.generateEd25519("host");
    CloudInit init = new CloudInit(List.of("ssh-ed25519 AAAA me@x"), host);
    String userData = init.renderUserData();
    assertThat(userData).startsWith("#cloud-config").contains("ssh_deletekeys: true").contains("ssh_genkeytypes: []");
    CloudInit.ParsedUserData parsed = CloudInit.parseUserData(userData);
    assertThat(parsed.authorizedKeys()).containsExactly("ssh-ed25519 AAAA me@x");
    assertThat(SshIdentity.parse(parsed.hostPrivateKey(), "h").fingerprint()).isEqualTo(host.fingerprint());
    assertThat(init.toString()).doesNotContain("PRIVATE");
  }
}
