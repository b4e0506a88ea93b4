package io.potions.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpHeaders;
import java.time.Instant;

/**
 * An answer outside 2xx, as an {@link ErrorMapper} sees it.
 *
 * @param method the HTTP method, such as {@code GET}
 * @param path the path asked for, without the query
 * @param status the HTTP status
 * @param headers the answer's headers
 * @param text the body as text, possibly empty
 * @param json the body as JSON when it is a JSON object, else {@code null}
 * @param requestId the API's request id from the headers, or {@code null}
 * @param receivedAt when the answer arrived, by the transport's clock (for {@code retry-after})
 */
public record ApiFailure(String method, String path, int status, HttpHeaders headers, String text, JsonNode json,
    String requestId, Instant receivedAt) {
  /** @return the call in words, such as {@code GET /v2/account} */
  public String what() {
    return method + " " + path;
  }

  /**
   * @param field a top-level field of the JSON body
   * @return its text, or {@code null} when the body has no such field
   */
  public String field(String field) {
    return json == null ? null : json.path(field).asText(null);
  }
}
