package io.potions.internal.transfer;

import java.io.OutputStream;
import java.util.List;

/** A finished release somewhere other than its app server: a build server, a local directory. */
public interface ReleaseSource {
  /** @return what the release is made of */
  ReleaseManifest manifest();

  /**
   * Writes a gzip-compressed tar of the given files, named by their paths in the release.
   *
   * @param paths relative paths of regular files of the release
   * @param out where the archive goes (not closed)
   */
  void writeArchive(List<String> paths, OutputStream out);
}
