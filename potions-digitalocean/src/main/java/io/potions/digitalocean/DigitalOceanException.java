package io.potions.digitalocean;

import io.potions.PotionsException;
import java.util.Optional;

/**
 * An error while talking to the DigitalOcean API. Carries what DigitalOcean said (its error
 * {@code id}, {@code message} and {@code request_id}) when it answered, so a support request can
 * quote them. Never carries the API token.
 */
public class DigitalOceanException extends PotionsException {
  private static final long serialVersionUID = 1L;

  /** The HTTP status, or 0. */
  private final int status;
  /** DigitalOcean's error id, or {@code null}. */
  private final String errorId;
  /** DigitalOcean's request id, or {@code null}. */
  private final String requestId;

  /**
   * @param message what happened and what to do about it
   * @param status the HTTP status, or 0 when no answer arrived
   * @param errorId DigitalOcean's error id, such as {@code unprocessable_entity}, or {@code null}
   * @param requestId DigitalOcean's request id, or {@code null}
   * @param cause the underlying error, or {@code null}
   */
  public DigitalOceanException(
      String message, int status, String errorId, String requestId, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.errorId = errorId;
    this.requestId = requestId;
  }

  /**
   * @param message what happened and what to do about it
   */
  public DigitalOceanException(String message) {
    this(message, 0, null, null, null);
  }

  /** @return the HTTP status DigitalOcean answered with, or 0 when there was no answer */
  public int status() {
    return status;
  }

  /** @return DigitalOcean's error id, such as {@code not_found} */
  public Optional<String> errorId() {
    return Optional.ofNullable(errorId);
  }

  /** @return DigitalOcean's request id, to quote to its support */
  public Optional<String> requestId() {
    return Optional.ofNullable(requestId);
  }
}
