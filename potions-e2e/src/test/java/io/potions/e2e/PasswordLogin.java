package io.potions.e2e;

import java.time.Duration;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;

/**
 * Tries a password login, as an attacker's or a careless admin's client would. Test-only: the SDK
 * itself has no password authentication and no accept-all host key policy.
 */
final class PasswordLogin {
  private PasswordLogin() {}

  static boolean succeeds(String host, int port, String user, String password) {
    SshClient client = SshClient.setUpDefaultClient();
    client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
    client.setHostConfigEntryResolver(org.apache.sshd.client.config.hosts.HostConfigEntryResolver.EMPTY);
    client.setKeyIdentityProvider(org.apache.sshd.common.keyprovider.KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
    client.start();
    try (ClientSession session = client.connect(user, host, port).verify(Duration.ofSeconds(10)).getSession()) {
      session.addPasswordIdentity(password);
      session.auth().verify(Duration.ofSeconds(10));
      return session.isAuthenticated();
    } catch (Exception e) {
      return false;
    } finally {
      client.stop();
    }
  }
}
