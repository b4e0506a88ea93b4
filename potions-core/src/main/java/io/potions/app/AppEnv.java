package io.potions.app;

import io.potions.secret.Secret;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * An app's user-set environment variables. Values print as {@value Secret#MASK}; read one with
 * {@link #get(String)} and {@link Secret#reveal()}.
 */
public final class AppEnv {
  private final Map<String, Secret> vars;

  AppEnv(Map<String, String> raw) {
    Map<String, Secret> m = new TreeMap<>();
    raw.forEach((k, v) -> m.put(k, Secret.of(v)));
    this.vars = Collections.unmodifiableMap(m);
  }

  /** @return the variable names, sorted */
  public java.util.Set<String> keys() {
    return vars.keySet();
  }

  /**
   * @param key a name
   * @return its value, hidden until revealed, or null
   */
  public Secret get(String key) {
    return vars.get(key);
  }

  /** @return the variables with hidden values */
  public Map<String, Secret> asMap() {
    return vars;
  }

  @Override
  public String toString() {
    return vars.keySet().stream().map(k -> k + "=" + Secret.MASK).collect(Collectors.joining(", ", "{", "}"));
  }
}
