package io.potions.github;

import java.net.URI;
import java.util.Locale;
import org.eclipse.jgit.errors.UnsupportedCredentialItem;
import org.eclipse.jgit.transport.CredentialItem;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.URIish;

/**
 * Git over HTTPS credentials for GitHub: user {@code x-access-token}, password the client's current
 * token (a fresh installation token when the cached one is near expiry), given only to the
 * configured git host.
 */
final class TokenCredentials extends CredentialsProvider {
  static final String USER = "x-access-token";

  private final GitHubClient client;
  private final String host;

  TokenCredentials(GitHubClient client, URI gitUri) {
    this.client = client;
    this.host = gitUri.getHost().toLowerCase(Locale.ROOT);
  }

  @Override
  public boolean isInteractive() {
    return false;
  }

  @Override
  public boolean supports(CredentialItem... items) {
    for (CredentialItem item : items) {
      if (!(item instanceof CredentialItem.Username) && !(item instanceof CredentialItem.Password)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean get(URIish uri, CredentialItem... items) throws UnsupportedCredentialItem {
    if (uri == null || uri.getHost() == null || !uri.getHost().toLowerCase(Locale.ROOT).equals(host)) {
      return false; // never hand the token to another host (a redirect, say)
    }
    for (CredentialItem item : items) {
      if (item instanceof CredentialItem.Username u) {
        u.setValue(USER);
      } else if (item instanceof CredentialItem.Password p) {
        p.setValue(client.accessToken().reveal().toCharArray());
      } else {
        throw new UnsupportedCredentialItem(uri, item.getClass().getSimpleName() + ": " + item.getPromptText());
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "TokenCredentials[" + USER + "@" + host + "]";
  }
}
