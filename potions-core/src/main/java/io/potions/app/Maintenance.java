package io.potions.app;

import io.potions.InvalidInputException;
import io.potions.spi.MaintenancePage;
import java.time.Duration;

/**
 * Maintenance mode's values: the checked message, the page the proxy serves (pure rendering, the
 * message HTML-escaped) and where the state is kept on the server, so {@link App#maintenance()}
 * reports it and a deploy or restart (which never touch the proxy) keeps it.
 */
final class Maintenance {
  static final int MAX_MESSAGE_CHARS = 2000;
  static final Duration DEFAULT_RETRY_AFTER = Duration.ofMinutes(5);

  private Maintenance() {}

  /** @return the file holding the message while the app is in maintenance (absent otherwise) */
  static String stateFile(String app) {
    return AppScripts.dir(app) + "/maintenance.txt";
  }

  /**
   * @param message what visitors read
   * @return the message, checked
   * @throws InvalidInputException when empty, too long, or holding control characters
   */
  static String checkMessage(String message) {
    if (message == null || message.isBlank()) {
      throw new InvalidInputException("The maintenance message is empty: say what visitors should know,"
          + " such as \"Back at 14:00 UTC\".");
    }
    if (message.length() > MAX_MESSAGE_CHARS) {
      throw new InvalidInputException("The maintenance message is " + message.length() + " characters; the limit is "
          + MAX_MESSAGE_CHARS + ".");
    }
    if (message.chars().anyMatch(c -> c < 0x20 && c != '\n' || c == 0x7f)) {
      throw new InvalidInputException("The maintenance message holds control characters; use plain text"
          + " (new lines are fine).");
    }
    return message.strip();
  }

  /**
   * @param retryAfter the Retry-After value
   * @return it in whole seconds
   * @throws InvalidInputException when under 1 s or over a day
   */
  static int checkRetryAfter(Duration retryAfter) {
    if (retryAfter == null || retryAfter.toSeconds() < 1 || retryAfter.toSeconds() > 86_400) {
      throw new InvalidInputException("Retry-After must be between 1 second and 1 day, not " + retryAfter + ".");
    }
    return (int) retryAfter.toSeconds();
  }

  /**
   * @param app the app name
   * @param message the checked message
   * @param retryAfterSeconds seconds
   * @return the page, the message escaped
   */
  static MaintenancePage page(String app, String message, int retryAfterSeconds) {
    String html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        + "<title>Down for maintenance</title>"
        + "<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:15vh auto;padding:0 1rem;color:#222}"
        + "h1{font-size:1.5rem}</style></head>\n<body><h1>Down for maintenance</h1>\n<p>"
        + escape(message).replace("\n", "<br>\n") + "</p>\n</body></html>\n";
    return new MaintenancePage(html, retryAfterSeconds);
  }

  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (char c : text.toCharArray()) {
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
