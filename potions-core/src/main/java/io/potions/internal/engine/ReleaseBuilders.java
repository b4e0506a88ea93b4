package io.potions.internal.engine;

import io.potions.InvalidInputException;
import io.potions.spi.BuildRequest;
import io.potions.spi.BuiltRelease;
import io.potions.spi.ReleaseBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The release builders one {@code Potions} instance knows, by {@link ReleaseBuilder#name()}: the
 * instance's default, and the others an app may ask for in its settings
 * ({@code AppSettings.releaseBuilder}). Itself the default builder, so code that wants one builder
 * keeps working.
 */
public final class ReleaseBuilders implements ReleaseBuilder {
  private final ReleaseBuilder defaultBuilder;
  private final Map<String, ReleaseBuilder> byName = new LinkedHashMap<>();

  /**
   * @param defaultBuilder the builder of apps that name none
   * @param others builders apps may choose by name (the default is always one of them)
   */
  public ReleaseBuilders(ReleaseBuilder defaultBuilder, List<ReleaseBuilder> others) {
    this.defaultBuilder = defaultBuilder;
    byName.put(defaultBuilder.name(), defaultBuilder);
    for (ReleaseBuilder b : others) {
      ReleaseBuilder before = byName.putIfAbsent(b.name(), b);
      if (before != null && before != b) {
        throw new InvalidInputException("Two release builders are named '" + b.name() + "'; names must be unique.");
      }
    }
  }

  /**
   * @param wanted the name an app's settings ask for, or empty for the default
   * @return that builder
   * @throws InvalidInputException when no builder has that name, listing the ones there are
   */
  public ReleaseBuilder select(Optional<String> wanted) {
    if (wanted.isEmpty()) {
      return defaultBuilder;
    }
    ReleaseBuilder b = byName.get(wanted.get());
    if (b == null) {
      throw new InvalidInputException("The app asks for release builder '" + wanted.get() + "', which this Potions"
          + " instance does not have (it has: " + String.join(", ", names()) + "). Register it with"
          + " Potions.builder().addReleaseBuilder(...), or change the app's settings.");
    }
    return b;
  }

  /** @return every builder's name, the default first */
  public List<String> names() {
    return new ArrayList<>(byName.keySet());
  }

  @Override
  public String name() {
    return defaultBuilder.name();
  }

  @Override
  public BuiltRelease build(BuildRequest request) {
    return defaultBuilder.build(request);
  }
}
