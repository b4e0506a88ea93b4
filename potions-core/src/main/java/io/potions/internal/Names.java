package io.potions.internal;

import io.potions.InvalidInputException;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** Validation of the names and values that end up in unit names, paths, SQL and shell. */
public final class Names {
  private static final Pattern APP = Pattern.compile("[a-z][a-z0-9-]{0,29}");
  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  private static final Pattern ENV_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
  /** Names that would collide with the layout under /opt/potions or confuse operators. */
  private static final Set<String> RESERVED_APPS = Set.of("potions", "deploy", "root", "postgres", "caddy");

  private Names() {}

  /**
   * @param name a proposed app name
   * @return the name
   * @throws InvalidInputException when it cannot be an app name
   */
  public static String app(String name) {
    if (name == null || !APP.matcher(name).matches() || name.endsWith("-") || name.contains("--")) {
      throw new InvalidInputException("App name '" + abbreviate(name) + "' is not valid. It becomes a"
          + " systemd unit, a directory, a database and a host name, so use 1-30 characters: lowercase"
          + " letters, digits and single hyphens, starting with a letter and not ending with a hyphen"
          + " (for example 'shop' or 'shop-api').");
    }
    if (RESERVED_APPS.contains(name)) {
      throw new InvalidInputException("App name '" + name + "' is reserved on Potions servers; choose another.");
    }
    return name;
  }

  /**
   * @param domain a proposed domain
   * @return the domain, lowercased
   * @throws InvalidInputException when it is not a host name
   */
  public static String domain(String domain) {
    String d = domain == null ? "" : domain.trim().toLowerCase(Locale.ROOT);
    String body = d.startsWith("*.") ? d.substring(2) : d;
    boolean ok = !body.isEmpty() && d.length() <= 253;
    for (String label : body.split("\\.", -1)) {
      ok &= LABEL.matcher(label).matches();
    }
    if (!ok) {
      throw new InvalidInputException("Domain '" + abbreviate(domain) + "' is not a valid host name: use"
          + " dot-separated labels of letters, digits and hyphens, such as 'shop.example.com'"
          + " (a leading '*.' is allowed for a wildcard).");
    }
    return d;
  }

  /**
   * @param key a proposed environment variable name
   * @return the key
   * @throws InvalidInputException when it is not a portable variable name
   */
  public static String envKey(String key) {
    if (key == null || !ENV_KEY.matcher(key).matches()) {
      throw new InvalidInputException("Environment variable name '" + abbreviate(key) + "' is not valid:"
          + " use letters, digits and underscores, not starting with a digit (at most 128 characters).");
    }
    return key;
  }

  /**
   * @param key the variable name (for the message)
   * @param value a proposed environment variable value
   * @return the value
   * @throws InvalidInputException when it cannot be stored in an environment file
   */
  public static String envValue(String key, String value) {
    if (value == null) {
      throw new InvalidInputException("The value of " + key + " is missing; use unset(\"" + key + "\") to remove it.");
    }
    if (value.length() > 32_768) {
      throw new InvalidInputException("The value of " + key + " is " + value.length()
          + " characters long; at most 32768 are allowed. Store large data in a file in STORAGE_DIR.");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\n' || c == '\r' || c == '\0') {
        throw new InvalidInputException("The value of " + key + " contains a line break or NUL character,"
            + " which an environment file cannot hold. Encode it (for example base64) and decode it in the app.");
      }
    }
    return value;
  }

  /**
   * @param s any text
   * @return the text cut to 60 characters, for quoting user input in messages
   */
  public static String abbreviate(String s) {
    if (s == null) {
      return "null";
    }
    return s.length() > 60 ? s.substring(0, 60) + "..." : s;
  }
}
