/**
 * The errors of the SDK's HTTP API clients (DigitalOcean, GitHub), one vocabulary for all of them.
 *
 * <p>{@link io.potions.http.HttpApiException} is the base: it names the API, and carries the HTTP
 * status, the API's request id (to quote to its support), its error id and, for a rate limit, how
 * long the API asked to wait. Its subtypes say what a caller can do: {@link
 * io.potions.http.ApiUnreachableException} (no answer: retry later), {@link
 * io.potions.http.AuthenticationFailedException} (fix the credentials), {@link
 * io.potions.http.PermissionDeniedException} (grant the scope), {@link
 * io.potions.http.ResourceNotFoundException}, {@link io.potions.http.RateLimitedException} (wait
 * {@link io.potions.http.HttpApiException#retryAfter()}), {@link
 * io.potions.http.RequestRejectedException} (fix the input) and {@link
 * io.potions.http.ServerErrorException} (the API failed: retry later).
 */
package io.potions.http;
