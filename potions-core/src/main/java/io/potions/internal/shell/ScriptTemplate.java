package io.potions.internal.shell;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A script or config file kept as a class-path resource, with named placeholders filled in at
 * render time.
 *
 * <p>Placeholder syntax: {@code @@NAME@@}, where NAME is upper case letters, digits and
 * underscores, starting with a letter. Rendering is strict, so a typo can never ship: a placeholder
 * left without a value, a value for a name the text does not have, a value given twice, and any
 * other {@code @@} in the text all throw {@link IllegalStateException}. Values are inserted once,
 * in a single pass: a value containing {@code @@X@@} is not expanded again.
 *
 * <p>Quoting is the caller's choice, made where the value is supplied: {@link #quoted} passes the
 * value through {@link Shell#quote}, so it stands for exactly one shell word whatever it holds;
 * {@link #raw} inserts it verbatim, for constants, for text that is not shell (unit files, sudoers)
 * and for shell fragments that were already rendered with quoting.
 *
 * <p>A resource file ends with a newline like any text file, and the rendered text keeps it.
 */
public final class ScriptTemplate {
  private static final Pattern NAME = Pattern.compile("[A-Z][A-Z0-9_]*");
  private static final String MARK = "@@";

  private final String resource;
  private final String text;
  private final Map<String, String> values = new LinkedHashMap<>();

  private ScriptTemplate(String resource, String text) {
    this.resource = resource;
    this.text = text;
  }

  /**
   * Loads a template from the class path.
   *
   * @param owner a class of the module that holds the resource (its class loader finds it)
   * @param resource absolute resource path, such as {@code /io/potions/scripts/server/potions-admin.sh}
   * @return the template, with no values yet
   * @throws IllegalStateException when the resource does not exist
   */
  public static ScriptTemplate load(Class<?> owner, String resource) {
    try (InputStream in = owner.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("Script template " + resource + " is not on the class path");
      }
      return new ScriptTemplate(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read script template " + resource, e);
    }
  }

  /**
   * A template from text, for tests and for callers that build one in memory.
   *
   * @param label names the template in error messages
   * @param text the template text
   * @return the template, with no values yet
   */
  public static ScriptTemplate of(String label, String text) {
    return new ScriptTemplate(label, text);
  }

  /**
   * Supplies a value inserted exactly as given.
   *
   * @param name placeholder name, without the {@code @@}
   * @param value the text to insert
   * @return this template
   */
  public ScriptTemplate raw(String name, String value) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalStateException(resource + ": '" + name + "' is not a placeholder name");
    }
    if (values.putIfAbsent(name, value) != null) {
      throw new IllegalStateException(resource + ": a value for @@" + name + "@@ was given twice");
    }
    return this;
  }

  /**
   * Supplies a value inserted as one shell word ({@link Shell#quote}).
   *
   * @param name placeholder name, without the {@code @@}
   * @param value any text
   * @return this template
   */
  public ScriptTemplate quoted(String name, String value) {
    return raw(name, Shell.quote(value));
  }

  /**
   * @return the placeholder names the text holds, in order of first appearance
   * @throws IllegalStateException when the text holds a malformed placeholder
   */
  public Set<String> placeholders() {
    Set<String> names = new LinkedHashSet<>();
    int at = 0;
    while (true) {
      int open = text.indexOf(MARK, at);
      if (open < 0) {
        return names;
      }
      int close = text.indexOf(MARK, open + MARK.length());
      String name = close < 0 ? "" : text.substring(open + MARK.length(), close);
      if (!NAME.matcher(name).matches()) {
        throw new IllegalStateException(resource + ": malformed placeholder at line " + line(open)
            + " (placeholders look like @@NAME@@)");
      }
      names.add(name);
      at = close + MARK.length();
    }
  }

  /**
   * @return the text with every placeholder replaced by its value
   * @throws IllegalStateException when a placeholder has no value, a value has no placeholder, or
   *     the text holds a malformed placeholder
   */
  public String render() {
    Set<String> names = placeholders();
    List<String> missing = new ArrayList<>(names);
    missing.removeAll(values.keySet());
    if (!missing.isEmpty()) {
      throw new IllegalStateException(resource + ": no value for placeholder(s) " + missing);
    }
    List<String> unused = new ArrayList<>(values.keySet());
    unused.removeAll(names);
    if (!unused.isEmpty()) {
      throw new IllegalStateException(resource + ": the text has no placeholder(s) " + unused);
    }
    StringBuilder out = new StringBuilder(text.length() + 256);
    int at = 0;
    while (true) {
      int open = text.indexOf(MARK, at);
      if (open < 0) {
        return out.append(text, at, text.length()).toString();
      }
      int close = text.indexOf(MARK, open + MARK.length());
      out.append(text, at, open).append(values.get(text.substring(open + MARK.length(), close)));
      at = close + MARK.length();
    }
  }

  private int line(int offset) {
    int n = 1;
    for (int i = 0; i < offset; i++) {
      if (text.charAt(i) == '\n') {
        n++;
      }
    }
    return n;
  }
}
