package io.potions.source;

/**
 * A commit a ref resolved to.
 *
 * @param sha the full commit SHA
 * @param ref the ref as the caller gave it
 * @param message the first line of the commit message
 * @param author the author's name
 */
public record SourceCommit(String sha, String ref, String message, String author) {
  /** @return the first 7 characters of the SHA */
  public String shortSha() {
    return sha.substring(0, 7);
  }
}
