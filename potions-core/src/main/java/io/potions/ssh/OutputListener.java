package io.potions.ssh;

/** Receives a remote command's output one line at a time, as it is produced. */
@FunctionalInterface
public interface OutputListener {
  /** Which stream a line came from. */
  enum Stream {
    /** Standard output. */
    STDOUT,
    /** Standard error. */
    STDERR
  }

  /** A listener that drops every line. */
  OutputListener IGNORE = (stream, line) -> {};

  /**
   * @param stream stdout or stderr
   * @param line one line, without its line terminator, already redacted
   */
  void onLine(Stream stream, String line);
}
