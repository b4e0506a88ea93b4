package io.potions.digitalocean;

/**
 * DigitalOcean refused the request as invalid (400 or 422), for instance an unknown size slug or a locked droplet; the message says which field, in DigitalOcean's words.
 */
public class RequestRejectedException extends DigitalOceanException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what happened and what to do about it
   * @param status the HTTP status, or 0 when no answer arrived
   * @param errorId DigitalOcean's error id, or {@code null}
   * @param requestId DigitalOcean's request id, or {@code null}
   * @param cause the underlying error, or {@code null}
   */
  public RequestRejectedException(String message, int status, String errorId, String requestId, Throwable cause) {
    super(message, status, errorId, requestId, cause);
  }
}
