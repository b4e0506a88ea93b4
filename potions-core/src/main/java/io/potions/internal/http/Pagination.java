package io.potions.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.potions.http.HttpApiException;
import java.net.http.HttpHeaders;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Follows an API's pages: next-page links in a {@code Link} header or in the body, and the loop. */
public final class Pagination {
  /** More pages than any list the SDK reads; a guard against an API that never stops. */
  static final int MAX_PAGES = 10_000;

  private static final Pattern LINK_NEXT = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");

  private Pagination() {}

  /**
   * One page read.
   *
   * @param items the page's items
   * @param next where the next page is (as the API's fetch function takes it), or empty on the last
   * @param <T> the item type
   */
  public record Page<T>(List<T> items, Optional<String> next) {}

  /**
   * The {@code rel="next"} target of an RFC 8288 {@code Link} header, as GitHub sends it.
   *
   * @param headers an answer's headers
   * @return the next page's URL, or empty on the last page
   */
  public static Optional<String> linkHeaderNext(HttpHeaders headers) {
    for (String value : headers.allValues("link")) {
      Matcher m = LINK_NEXT.matcher(value);
      if (m.find()) {
        return Optional.of(m.group(1));
      }
    }
    return Optional.empty();
  }

  /**
   * A next-page link inside the body, such as DigitalOcean's {@code /links/pages/next}.
   *
   * @param body a page's JSON body
   * @param pointer where the link is, as a JSON pointer
   * @return the link, or empty when it is absent or blank
   */
  public static Optional<String> bodyNext(JsonNode body, String pointer) {
    String link = body.at(pointer).asText(null);
    return link == null || link.isBlank() ? Optional.empty() : Optional.of(link);
  }

  /**
   * Reads every page, from the first until one has no next, refusing to read a page twice.
   *
   * @param api the API's name, for the error
   * @param what the list, for the error, such as {@code /v2/droplets}
   * @param first the first page's address
   * @param fetch reads one page
   * @param <T> the item type
   * @return every page's items, in order
   * @throws HttpApiException when the pages loop
   */
  public static <T> List<T> collect(String api, String what, String first, Function<String, Page<T>> fetch) {
    List<T> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    Optional<String> next = Optional.of(first);
    while (next.isPresent()) {
      if (!seen.add(next.get()) || seen.size() > MAX_PAGES) {
        throw new HttpApiException(api, api + "'s pagination of " + what + " loops back to a page already read;"
            + " giving up rather than reading forever.");
      }
      Page<T> page = fetch.apply(next.get());
      out.addAll(page.items());
      next = page.next();
    }
    return out;
  }
}
