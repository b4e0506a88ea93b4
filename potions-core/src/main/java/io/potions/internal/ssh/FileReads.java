package io.potions.internal.ssh;

import static io.potions.internal.shell.Shell.quote;

import io.potions.ssh.ExecResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reading several files in one round trip: the script, and the parser of its output next to it.
 * Each file is preceded by a boundary line saying whether it exists; a file that exists but cannot
 * be read fails the script (strict mode), so "unreadable" is never mistaken for "absent".
 */
public final class FileReads {
  private FileReads() {}

  /**
   * @param paths files to print
   * @param boundary a line no file contains (random per call)
   * @return the script
   */
  public static String script(List<String> paths, String boundary) {
    StringBuilder s = new StringBuilder();
    for (String p : paths) {
      s.append("if [ -e ").append(quote(p)).append(" ]; then echo ").append(quote(boundary + "present"))
          .append("; cat ").append(quote(p)).append("; echo; else echo ").append(quote(boundary + "missing"))
          .append("; fi\n");
    }
    return s.toString();
  }

  /**
   * @param result the script's result
   * @param count how many files were asked for
   * @param boundary the boundary the script used
   * @return each file's content in order; empty when missing
   */
  public static List<Optional<String>> parse(ExecResult result, int count, String boundary) {
    return parse(result.stdout(), count, boundary);
  }

  /**
   * @param output the script's output lines
   * @param count how many files were asked for
   * @param boundary the boundary the script used
   * @return each file's content in order; empty when missing
   */
  public static List<Optional<String>> parse(List<String> output, int count, String boundary) {
    List<Optional<String>> files = new ArrayList<>();
    List<String> current = null;
    for (String line : output) {
      if (line.equals(boundary + "present") || line.equals(boundary + "missing")) {
        close(files, current);
        current = line.endsWith("present") ? new ArrayList<>() : null;
        if (current == null) {
          files.add(Optional.empty());
        }
      } else if (current != null) {
        current.add(line);
      }
    }
    close(files, current);
    if (files.size() != count) {
      throw new io.potions.ssh.RemoteCommandException("Expected " + count + " files in the output, found " + files.size());
    }
    return files;
  }

  private static void close(List<Optional<String>> files, List<String> lines) {
    if (lines == null) {
      return;
    }
    // The script adds one newline after each file, so the last (empty) line is dropped.
    if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
      lines.remove(lines.size() - 1);
    }
    files.add(Optional.of(String.join("\n", lines) + (lines.isEmpty() ? "" : "\n")));
  }
}
