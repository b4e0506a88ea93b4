package io.potions.http;

/**
 * The API found nothing (404): the resource does not exist, or is not visible to the credentials.
 */
public class ResourceNotFoundException extends HttpApiException {
  private static final long serialVersionUID = 1L;

  /**
   * @param api the API's name, such as {@code GitHub}
   * @param message what happened and what to do about it
   * @param status the HTTP status, or 0 when another channel (such as git) found nothing
   * @param requestId the API's request id, or {@code null}
   * @param errorId the API's own error id, or {@code null}
   */
  public ResourceNotFoundException(String api, String message, int status, String requestId, String errorId) {
    super(api, message, status, requestId, errorId, null, null);
  }
}
