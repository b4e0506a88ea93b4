package io.potions.app;

import java.util.Locale;

/** The two places a release of an app can run: one live, one standby. */
public enum Slot {
  /** The first slot. */
  BLUE,
  /** The second slot. */
  GREEN;

  /** @return the other slot */
  public Slot other() {
    return this == BLUE ? GREEN : BLUE;
  }

  /** @return the lowercase name used on the server */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * @param id {@code blue} or {@code green}
   * @return the slot
   */
  public static Slot of(String id) {
    return valueOf(id.trim().toUpperCase(Locale.ROOT));
  }
}
