package io.potions.digitalocean;

/**
 * DigitalOcean failed with a 5xx status. Idempotent calls were retried before this was thrown; creating calls never are.
 */
public class ServerErrorException extends DigitalOceanException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what happened and what to do about it
   * @param status the HTTP status, or 0 when no answer arrived
   * @param errorId DigitalOcean's error id, or {@code null}
   * @param requestId DigitalOcean's request id, or {@code null}
   * @param cause the underlying error, or {@code null}
   */
  public ServerErrorException(String message, int status, String errorId, String requestId, Throwable cause) {
    super(message, status, errorId, requestId, cause);
  }
}
