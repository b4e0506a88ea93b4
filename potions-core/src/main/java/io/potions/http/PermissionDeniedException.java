package io.potions.http;

/**
 * The API accepted the credentials but they may not do this (403): give the token or the app the scope or permission the message names.
 */
public class PermissionDeniedException extends HttpApiException {
  private static final long serialVersionUID = 1L;

  /**
   * @param api the API's name, such as {@code GitHub}
   * @param message what happened and what to do about it
   * @param status the HTTP status
   * @param requestId the API's request id, or {@code null}
   * @param errorId the API's own error id, or {@code null}
   */
  public PermissionDeniedException(String api, String message, int status, String requestId, String errorId) {
    super(api, message, status, requestId, errorId, null, null);
  }
}
