package io.potions.internal.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ShellTest {
  @ParameterizedTest
  @ValueSource(strings = {"plain", "", "with space", "it's", "$(touch /tmp/pwned)", "`id`", "a;b|c&d",
      "new\nline", "tab\there", "\"double\"", "back\\slash", "*glob?", "~user", "-n", "ünïcödé", "'", "''", "FOO=bar"})
  void quotedWordsReachTheShellExactlyAsGiven(String word) throws Exception {
    Process p = new ProcessBuilder("bash", "-c", "printf '%s' " + Shell.quote(word)).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).isZero();
    assertThat(out).isEqualTo(word);
  }

  @ParameterizedTest
  @ValueSource(strings = {"#!/bin/bash\necho 'hi' \"$x\"\n", "EOF\n'quotes' and \\ backslashes\n", ""})
  void writeFileStoresAnyContentAndFileMatchesRecognisesIt(String content) throws Exception {
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("shell-test");
    String path = dir.resolve("f").toString();
    String owner = run("id -un") + ":" + run("id -gn");
    run(Shell.writeFile(path, content, "0640", owner));
    assertThat(java.nio.file.Files.readString(dir.resolve("f"))).isEqualTo(content);
    assertThat(run(Shell.fileMatches(path, content, "0640", owner) + " && echo yes || echo no")).isEqualTo("yes");
    assertThat(run(Shell.fileMatches(path, content + "x", "0640", owner) + " && echo yes || echo no")).isEqualTo("no");
    assertThat(run(Shell.fileMatches(path, content, "0600", owner) + " && echo yes || echo no")).isEqualTo("no");
  }

  @org.junit.jupiter.api.Test
  void joinQuotesEveryArgument() {
    assertThat(Shell.join(List.of("echo", "a b", "c"))).isEqualTo("echo 'a b' c");
  }

  private static String run(String script) throws Exception {
    Process p = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    p.waitFor();
    return out;
  }
}
