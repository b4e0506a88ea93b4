package io.potions.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.potions.InvalidInputException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Runtime versions are installed with mise; these machines cannot download them, so the text is checked. */
class RuntimeScriptsTest {
  @Test
  void toolVersionsAreRead() {
    RuntimeVersions v = RuntimeVersions.fromToolVersions("erlang 27.1.2\nelixir 1.17.3-otp-27 # pinned\nnodejs 20.18.0\nruby 3.3\n");
    assertThat(v.erlang()).contains("27.1.2");
    assertThat(v.elixir()).contains("1.17.3-otp-27");
    assertThat(v.nodejs()).contains("20.18.0");
    assertThat(RuntimeVersions.fromToolVersions("ruby 3.3\n").isDistributionDefault()).isTrue();
  }

  @Test
  void theInstallScriptInstallsErlangBeforeElixirAndFailsClearly() {
    String script = RuntimeScripts.install(RuntimeVersions.builder().erlang("27.1.2").elixir("1.17.3-otp-27")
        .nodejs("20.18.0").build());
    assertThat(script).contains("MISE_DATA_DIR=/opt/potions/.runtimes/mise");
    assertThat(script).contains("/opt/potions/.runtimes/bin/mise install erlang@27.1.2 || { echo 'POTIONS_RUNTIME_UNAVAILABLE erlang@27.1.2'; exit 3; }");
    assertThat(script.indexOf("erlang@27.1.2")).isLessThan(script.indexOf("elixir@1.17.3-otp-27"));
    assertThat(script).contains("node@20.18.0");
  }

  @Test
  void theBuildUsesThePinnedRuntimesFirstOnPath() {
    assertThat(RuntimeScripts.pathPrefix(RuntimeVersions.builder().erlang("27.1.2").elixir("1.17.3-otp-27").build()))
        .isEqualTo("/opt/potions/.runtimes/mise/installs/elixir/1.17.3-otp-27/bin:"
            + "/opt/potions/.runtimes/mise/installs/erlang/27.1.2/bin");
    assertThat(RuntimeScripts.pathPrefix(RuntimeVersions.distribution())).isEmpty();
    // The prefix travels to the root helper as an argument (it checks it lies under the runtimes),
    // and the build script the helper runs puts it first on PATH.
    assertThat(AppScripts.build("shop", "0123456789abcdef0123456789abcdef01234567", "r1", "/x/bin", Duration.ofMinutes(5)))
        .contains(" build shop r1 0123456789abcdef0123456789abcdef01234567 300 0 20 /x/bin\n");
    assertThat(io.potions.internal.provision.SystemFiles.buildScript())
        .contains("if [ -n \"$path_prefix\" ]; then export PATH=\"$path_prefix:$PATH\"; fi");
  }

  @Test
  void versionsThatAreNotVersionsAreRefused() {
    assertThatThrownBy(() -> RuntimeVersions.builder().erlang("27; rm -rf /").build())
        .isInstanceOf(InvalidInputException.class);
  }

  @Test
  void miseIsAPinnedReleaseCheckedAgainstItsSha256BeforeItRuns() {
    String script = RuntimeScripts.install(RuntimeVersions.builder().erlang("27.1.2").build());
    assertThat(script).doesNotContain("mise.run").doesNotContain("| sh").doesNotContain("|sh");
    assertThat(RuntimeScripts.MISE_VERSION).matches("\\d{4}\\.\\d{1,2}\\.\\d+");
    // Copied from the release's SHASUMS256.txt: must be a real digest, never a placeholder.
    assertThat(RuntimeScripts.MISE_SHA256_X64).matches("[0-9a-f]{64}");
    assertThat(RuntimeScripts.MISE_SHA256_ARM64).matches("[0-9a-f]{64}").isNotEqualTo(RuntimeScripts.MISE_SHA256_X64);
    assertThat(script).contains("asset=mise-v" + RuntimeScripts.MISE_VERSION + "-linux-x64; want="
        + RuntimeScripts.MISE_SHA256_X64);
    assertThat(script).contains("asset=mise-v" + RuntimeScripts.MISE_VERSION + "-linux-arm64; want="
        + RuntimeScripts.MISE_SHA256_ARM64);
    assertThat(script).contains("https://github.com/jdx/mise/releases/download/v" + RuntimeScripts.MISE_VERSION + "/$asset");
    // Download, verify, and only then make it executable, install it and run it.
    int download = script.indexOf("curl ");
    int verify = script.indexOf("if [ \"$got\" != \"$want\" ]");
    int executable = script.indexOf("chmod 0755 \"$download\"");
    int installed = script.indexOf("mv -fT \"$download\"");
    int firstRun = script.indexOf("/opt/potions/.runtimes/bin/mise install");
    assertThat(download).isPositive().isLessThan(verify);
    assertThat(verify).isLessThan(executable);
    assertThat(executable).isLessThan(installed);
    assertThat(installed).isLessThan(firstRun);
  }

  @Test
  void aDownloadThatDoesNotMatchTheChecksumIsNeverRunOrInstalled(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path bin = java.nio.file.Files.createDirectories(dir.resolve("fakebin"));
    java.nio.file.Path marker = dir.resolve("ran");
    // The fake "release" is a script that would leave a marker if anything executed it.
    fakeCurl(bin, "#!/bin/sh\ntouch " + marker + "\n");
    String script = localScript(dir, RuntimeScripts.install(RuntimeVersions.builder().erlang("27.1.2").build()));

    Result r = run(script, bin);

    assertThat(r.status).as(r.output).isEqualTo(4);
    assertThat(r.output).contains("the download's SHA-256 is", "refusing to run it");
    assertThat(r.output).containsAnyOf("not the pinned " + RuntimeScripts.MISE_SHA256_X64,
        "not the pinned " + RuntimeScripts.MISE_SHA256_ARM64);
    assertThat(marker).doesNotExist();
    assertThat(dir.resolve("runtimes/bin/mise")).doesNotExist();
    try (var files = java.nio.file.Files.list(dir.resolve("runtimes/bin"))) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void aDownloadThatMatchesIsInstalledAndUsed(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path bin = java.nio.file.Files.createDirectories(dir.resolve("fakebin"));
    String fakeMise = "#!/bin/sh\necho \"fake mise $*\"\n";
    fakeCurl(bin, fakeMise);
    String sha = io.potions.internal.shell.Hashing.sha256Hex(fakeMise);
    // Stand-in for the real release: the same script with the fake's digest in place of the pinned one.
    String script = localScript(dir, RuntimeScripts.install(RuntimeVersions.builder().erlang("27.1.2").build())
        .replace(RuntimeScripts.MISE_SHA256_X64, sha).replace(RuntimeScripts.MISE_SHA256_ARM64, sha));

    Result r = run(script, bin);

    assertThat(r.status).as(r.output).isZero();
    assertThat(r.output).contains("fake mise install erlang@27.1.2");
    assertThat(java.nio.file.Files.readString(dir.resolve("runtimes/bin/mise"))).isEqualTo(fakeMise);
    // Installed and matching: the next run downloads nothing.
    java.nio.file.Files.delete(bin.resolve("curl"));
    assertThat(run(script, bin).status).isZero();
  }

  private static void fakeCurl(java.nio.file.Path bin, String content) throws Exception {
    java.nio.file.Path body = java.nio.file.Files.writeString(bin.resolve("release"), content);
    java.nio.file.Path curl = java.nio.file.Files.writeString(bin.resolve("curl"),
        "#!/bin/bash\nwhile [ $# -gt 0 ]; do if [ \"$1\" = -o ]; then cp " + body + " \"$2\"; shift; fi; shift; done\n");
    curl.toFile().setExecutable(true);
  }

  private static String localScript(java.nio.file.Path dir, String script) {
    return script.replace("/opt/potions/.runtimes", dir.resolve("runtimes").toString());
  }

  private record Result(int status, String output) {}

  private static Result run(String script, java.nio.file.Path bin) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", "set -euo pipefail\n" + script).redirectErrorStream(true);
    pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    return new Result(p.waitFor(), out);
  }
}
