package io.potions.internal.shell;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Pure helpers that render shell text. Every value that reaches a remote shell goes through
 * {@link #quote(String)} or is carried base64-encoded, so no input is ever interpreted by the shell.
 */
public final class Shell {
  private Shell() {}

  /**
   * Quotes one word for a POSIX shell: the result always stands for exactly the input.
   *
   * @param word any text
   * @return the text as one single-quoted shell word
   */
  public static String quote(String word) {
    if (word.isEmpty()) {
      return "''";
    }
    if (word.chars().allMatch(Shell::isSafe)) {
      return word;
    }
    return "'" + word.replace("'", "'\\''") + "'";
  }

  /**
   * @param argv a command and its arguments
   * @return one shell command line that runs exactly that argv
   */
  public static String join(List<String> argv) {
    return argv.stream().map(Shell::quote).collect(Collectors.joining(" "));
  }

  /**
   * @param argv a command and its arguments
   * @return one shell command line that runs exactly that argv
   */
  public static String join(String... argv) {
    return join(List.of(argv));
  }

  /**
   * Renders a command that writes {@code content} to {@code path} atomically with the given mode and
   * owner. The content travels base64-encoded, so it may hold any bytes, quotes or heredoc markers.
   *
   * <p>Only for directories that root alone can write (it runs as root during provisioning): the
   * temporary file is a fresh {@code mktemp} name (never a fixed one another user could plant a
   * link at), its owner is changed with {@code chown -h}, and the rename replaces whatever is at
   * {@code path}, a symlink included, without following it. Files in a user's own directories are
   * written as that user instead (see the bootstrap's users step).
   *
   * @param path absolute destination path
   * @param content the file's full content
   * @param mode octal mode such as {@code 0644}
   * @param owner {@code user:group}
   * @return a shell snippet
   */
  public static String writeFile(String path, String content, String mode, String owner) {
    String encoded = Base64.getEncoder().encodeToString(content.getBytes(StandardCharsets.UTF_8));
    // Any failure ends the script (a && list alone would not trip errexit) and leaves no temp file.
    return "tmp= && { tmp=$(mktemp " + quote(path + ".potions-XXXXXX") + ")"
        + " && printf '%s' " + quote(encoded) + " | base64 -d > \"$tmp\""
        + " && chmod " + quote(mode) + " \"$tmp\""
        + " && chown -h " + quote(owner) + " \"$tmp\""
        + " && mv -fT \"$tmp\" " + quote(path) + "; }"
        + " || { [ -z \"$tmp\" ] || rm -f \"$tmp\"; exit 1; }";
  }

  /**
   * Renders a test that succeeds only when {@code path} has exactly this content, mode and owner.
   *
   * @param path absolute path
   * @param content the expected content
   * @param mode octal mode such as {@code 0644}
   * @param owner {@code user:group}
   * @return a shell condition
   */
  public static String fileMatches(String path, String content, String mode, String owner) {
    String sha = Hashing.sha256Hex(content);
    String perm = mode.replaceFirst("^0(?=\\d{3}$)", "");
    return "[ -f " + quote(path) + " ]"
        + " && [ \"$(sha256sum < " + quote(path) + " | cut -d' ' -f1)\" = " + quote(sha) + " ]"
        + " && [ \"$(stat -c '%a %U:%G' " + quote(path) + ")\" = " + quote(perm + " " + owner) + " ]";
  }

  private static boolean isSafe(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '-' || c == '_' || c == '.' || c == '/' || c == ':' || c == '@'
        || c == '%' || c == '+' || c == ',';
  }
}
