package io.potions.internal.transfer;

import io.potions.internal.shell.ScriptTemplate;

/**
 * Renders the scripts of a content-addressed release transfer: the sender's manifest and pack
 * scripts, the receiver's missing-files query and its receive-and-assemble script. Pure functions.
 */
public final class TransferScripts {
  private TransferScripts() {}

  /**
   * @param appDir the app's directory on the receiving server
   * @return its content store ({@code <appDir>/cas}), owned by the deploy user like the app's directory
   */
  public static String store(String appDir) {
    return appDir + "/cas";
  }

  /**
   * @param releaseDir the release directory on the sending machine
   * @return the script printing the release's manifest
   */
  public static String manifest(String releaseDir) {
    return template("manifest.sh").quoted("DIR", releaseDir).render();
  }

  /**
   * @param releaseDir the release directory on the sending machine
   * @return the script writing a gzip tar of the NUL-separated relative paths on its stdin
   */
  public static String pack(String releaseDir) {
    return template("pack.sh").quoted("DIR", releaseDir).render();
  }

  /**
   * @param appDir the app's directory on the receiving server
   * @param releaseId the release being sent
   * @return the script storing the manifest (gzip on stdin) and printing {@code missing KEY} lines
   */
  public static String missing(String appDir, String releaseId) {
    return template("missing.sh").quoted("CAS", store(appDir)).quoted("RELEASE_ID", releaseId).render();
  }

  /**
   * @param appDir the app's directory on the receiving server
   * @param releaseId the release being sent
   * @param storageDir where the release's {@code storage} link points on the receiving server
   * @return the script receiving the missing files (gzip tar on stdin) and assembling the release
   */
  public static String receive(String appDir, String releaseId, String storageDir) {
    return template("receive.sh")
        .quoted("CAS", store(appDir))
        .quoted("RELEASE", appDir + "/releases/" + releaseId)
        .quoted("RELEASE_ID", releaseId)
        .quoted("STORAGE", storageDir)
        .render();
  }

  private static ScriptTemplate template(String name) {
    return ScriptTemplate.load(TransferScripts.class, "/io/potions/scripts/transfer/" + name);
  }
}
