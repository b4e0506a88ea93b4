package io.potions.spi;

/**
 * A release a {@link ReleaseBuilder} made.
 *
 * @param releaseName the release's name (its executable in {@code bin/})
 * @param releaseBytes its size on the server's disk
 * @param bytesSent bytes sent to the app's server to make it
 */
public record BuiltRelease(String releaseName, long releaseBytes, long bytesSent) {}
