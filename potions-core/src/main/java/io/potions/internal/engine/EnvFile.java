package io.potions.internal.engine;

import io.potions.InvalidInputException;
import io.potions.internal.Names;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Environment files in the format systemd's {@code EnvironmentFile=} reads: one {@code KEY="value"}
 * per line, with {@code \ " ` $} escaped inside the quotes. Pure.
 */
public final class EnvFile {
  /** Generated keys the user may not set: the SDK owns them, and overriding them breaks the app or slots. */
  public static final Set<String> RESERVED = Set.of(
      "DATABASE_URL", "SECRET_KEY_BASE", "PHX_HOST", "PHX_SERVER", "PORT", "STORAGE_DIR",
      "RELEASE_NODE", "RELEASE_DISTRIBUTION", "RELEASE_COOKIE", "RELEASE_TMP", "RELEASE_ROOT",
      "ERL_EPMD_ADDRESS", "HOME");

  /**
   * The largest env file the server's helper accepts (it refuses bigger content rather than cut
   * it). The SDK refuses before sending, with the size in the message.
   */
  public static final int MAX_BYTES = 1024 * 1024;

  /**
   * Room kept for the generated variables (DATABASE_URL, SECRET_KEY_BASE, ...) that each slot's
   * file adds to the user's variables, so user variables that fit also fit once deployed.
   */
  public static final int GENERATED_ALLOWANCE_BYTES = 16 * 1024;

  private EnvFile() {}

  /**
   * @param vars the user's variables
   * @throws InvalidInputException when, rendered, they leave no room for the generated variables
   *     within {@link #MAX_BYTES}
   */
  public static void requireUserVariablesFit(Map<String, String> vars) {
    int size = renderUnchecked(vars).getBytes(StandardCharsets.UTF_8).length;
    int limit = MAX_BYTES - GENERATED_ALLOWANCE_BYTES;
    if (size > limit) {
      throw new InvalidInputException("The app's environment variables would take " + size
          + " bytes; the limit is " + limit + " bytes (" + MAX_BYTES + " per env file, less "
          + GENERATED_ALLOWANCE_BYTES + " kept for the variables Potions generates). Nothing was changed.");
    }
  }

  /**
   * @param key a variable the user wants to set
   * @throws InvalidInputException when the key is reserved or invalid
   */
  public static void requireUserKey(String key) {
    Names.envKey(key);
    if (RESERVED.contains(key) || key.startsWith("POTIONS_")) {
      throw new InvalidInputException(key + " is set by Potions and cannot be overridden"
          + (key.equals("STORAGE_DIR") ? " (it is the app's persistent storage, /var/lib/potions/storage/<app>)" : "")
          + ". Reserved: " + new java.util.TreeSet<>(RESERVED)
          + " and every POTIONS_* name.");
    }
  }

  /**
   * @param vars variables, in the order to write them
   * @return the file content
   * @throws InvalidInputException when the file would be over {@link #MAX_BYTES} (the server's
   *     helper would refuse it)
   */
  public static String render(Map<String, String> vars) {
    String content = renderUnchecked(vars);
    int size = content.getBytes(StandardCharsets.UTF_8).length;
    if (size > MAX_BYTES) {
      throw new InvalidInputException("The env file would be " + size + " bytes; the limit is " + MAX_BYTES
          + " bytes. Remove or shorten environment variables.");
    }
    return content;
  }

  private static String renderUnchecked(Map<String, String> vars) {
    StringBuilder out = new StringBuilder();
    vars.forEach((key, value) -> {
      Names.envKey(key);
      Names.envValue(key, value);
      out.append(key).append("=\"");
      for (char c : value.toCharArray()) {
        if (c == '\\' || c == '"' || c == '`' || c == '$') {
          out.append('\\');
        }
        out.append(c);
      }
      out.append("\"\n");
    });
    return out.toString();
  }

  /**
   * @param content a file written by {@link #render(Map)} (plain {@code KEY=value} lines are read too)
   * @return its variables, in file order
   */
  public static Map<String, String> parse(String content) {
    Map<String, String> vars = new LinkedHashMap<>();
    for (String line : content.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int eq = line.indexOf('=');
      if (eq <= 0) {
        continue;
      }
      String key = line.substring(0, eq);
      String raw = line.substring(eq + 1);
      if (raw.length() >= 2 && raw.startsWith("\"") && raw.endsWith("\"")) {
        StringBuilder value = new StringBuilder();
        for (int i = 1; i < raw.length() - 1; i++) {
          char c = raw.charAt(i);
          if (c == '\\' && i + 1 < raw.length() - 1) {
            c = raw.charAt(++i);
          }
          value.append(c);
        }
        vars.put(key, value.toString());
      } else {
        vars.put(key, raw);
      }
    }
    return vars;
  }
}
