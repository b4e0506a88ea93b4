package io.potions.digitalocean;

/**
 * The droplet, action, key, firewall, domain or record asked for does not exist (404).
 */
public class ResourceNotFoundException extends DigitalOceanException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what happened and what to do about it
   * @param status the HTTP status, or 0 when no answer arrived
   * @param errorId DigitalOcean's error id, or {@code null}
   * @param requestId DigitalOcean's request id, or {@code null}
   * @param cause the underlying error, or {@code null}
   */
  public ResourceNotFoundException(String message, int status, String errorId, String requestId, Throwable cause) {
    super(message, status, errorId, requestId, cause);
  }
}
