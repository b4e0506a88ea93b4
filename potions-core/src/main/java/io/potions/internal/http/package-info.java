/**
 * Internal: the one HTTP transport of the SDK's API clients (DigitalOcean, GitHub). Its public types
 * are for the Potions modules only, not for users: they may change in any release without notice.
 *
 * <p>{@link io.potions.internal.http.HttpTransport} makes a JSON call with the JDK's HTTP client
 * (timeouts, the authorization header, the user agent, the request id of the answer), retries it
 * with Resilience4j (whose interval function decides each wait, honouring what a rate-limited
 * answer asked for) and waits through a {@link io.potions.http.Sleeper}, so tests need not
 * really sleep. A per-API {@link io.potions.internal.http.ErrorMapper} turns a failed answer into one
 * of the {@link io.potions.http.HttpApiException} types with the API's own wording; {@link
 * io.potions.internal.http.RetryAfter} reads the waits rate-limited answers ask for, and {@link
 * io.potions.internal.http.Pagination} follows next-page links. Nothing here knows a vendor.
 */
package io.potions.internal.http;
