package io.potions.spi;

/**
 * Runs a rendered script on the server for an SPI implementation (which renders, but never
 * executes, its own commands).
 */
@FunctionalInterface
public interface ScriptRunner {
  /**
   * @param what what the script does, for error messages
   * @param script bash text
   * @param stdin bytes for its standard input, or {@code null}
   * @return the script's standard output
   * @throws io.potions.ssh.RemoteCommandException when it exits non-zero
   */
  String run(String what, String script, byte[] stdin);
}
