package io.potions.http;

/**
 * The API refused the credentials (401): a wrong, expired or revoked token, or a wrong key. Check the token the SDK was given.
 */
public class AuthenticationFailedException extends HttpApiException {
  private static final long serialVersionUID = 1L;

  /**
   * @param api the API's name, such as {@code GitHub}
   * @param message what happened and what to do about it
   * @param status the HTTP status, or 0 when the refusal came from another channel (such as git over HTTPS)
   * @param requestId the API's request id, or {@code null}
   * @param errorId the API's own error id, or {@code null}
   */
  public AuthenticationFailedException(String api, String message, int status, String requestId, String errorId) {
    super(api, message, status, requestId, errorId, null, null);
  }
}
