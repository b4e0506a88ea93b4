package io.potions.http;

/**
 * The API failed on the request (5xx). Usually transient; calls that are safe to repeat were already retried.
 */
public class ServerErrorException extends HttpApiException {
  private static final long serialVersionUID = 1L;

  /**
   * @param api the API's name, such as {@code GitHub}
   * @param message what happened and what to do about it
   * @param status the HTTP status
   * @param requestId the API's request id, or {@code null}
   * @param errorId the API's own error id, or {@code null}
   */
  public ServerErrorException(String api, String message, int status, String requestId, String errorId) {
    super(api, message, status, requestId, errorId, null, null);
  }
}
