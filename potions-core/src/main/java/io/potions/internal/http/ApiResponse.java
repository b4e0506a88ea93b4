package io.potions.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpHeaders;
import java.util.Optional;

/**
 * A successful (2xx) answer.
 *
 * @param status the HTTP status
 * @param body the JSON body, an empty object when the answer had none
 * @param headers the answer's headers
 * @param requestId the API's request id from the headers, or {@code null}
 */
public record ApiResponse(int status, JsonNode body, HttpHeaders headers, String requestId) {
  /** @return the API's request id, when the answer carried one */
  public Optional<String> requestIdIfAny() {
    return Optional.ofNullable(requestId);
  }
}
