package io.potions.github.webhook;

/**
 * What to answer GitHub: a status and a short plain-text body. Write both to the HTTP response
 * (content type {@link #CONTENT_TYPE}).
 *
 * @param status the HTTP status: 202 a deploy was queued, 200 handled or ignored, 401 bad
 *     signature, 400 malformed, 413 too large, 500 the deploy could not be queued
 * @param body a short explanation, shown in GitHub's delivery log
 */
public record WebhookResponse(int status, String body) {
  /** The body's content type. */
  public static final String CONTENT_TYPE = "text/plain; charset=utf-8";
}
