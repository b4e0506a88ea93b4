package io.potions.internal.http;

import io.potions.http.HttpApiException;

/**
 * Turns an API's failed answer into one of the {@link HttpApiException} types, in the API's own
 * words (what to check, which token, which scope). The transport retries on the type it returns:
 * {@link io.potions.http.RateLimitedException} (waiting its {@code retryAfter}), and for calls safe
 * to repeat {@link io.potions.http.ServerErrorException}.
 */
@FunctionalInterface
public interface ErrorMapper {
  /**
   * @param failure the answer
   * @return the exception to throw (or to retry on)
   */
  HttpApiException map(ApiFailure failure);
}
