package io.potions.digitalocean;

/**
 * DigitalOcean refused the API token (401) or its scopes do not allow the call (403). Check {@code DIGITALOCEAN_TOKEN}: it must be a valid personal access token with write scope for the resources the SDK manages.
 */
public class AuthenticationFailedException extends DigitalOceanException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what happened and what to do about it
   * @param status the HTTP status, or 0 when no answer arrived
   * @param errorId DigitalOcean's error id, or {@code null}
   * @param requestId DigitalOcean's request id, or {@code null}
   * @param cause the underlying error, or {@code null}
   */
  public AuthenticationFailedException(String message, int status, String errorId, String requestId, Throwable cause) {
    super(message, status, errorId, requestId, cause);
  }
}
