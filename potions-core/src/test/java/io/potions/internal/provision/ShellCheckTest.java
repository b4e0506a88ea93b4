package io.potions.internal.provision;

import io.potions.app.AppScriptsSyntax;
import io.potions.internal.cloud.HostKeyRotation;
import io.potions.internal.shell.ShellCheck;
import io.potions.provision.BootstrapStep;
import io.potions.provision.Distribution;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every script core renders, with sample values, passes ShellCheck at warning level: the bootstrap
 * steps on both distributions, the read-only probes, the root helper, every app script and the
 * host key rotation.
 */
class ShellCheckTest {
  @Test
  void everyRenderedScriptPassesShellCheck() throws Exception {
    Map<String, String> scripts = new LinkedHashMap<>();
    for (Distribution d : Distribution.values()) {
      for (BootstrapStep step : BootstrapPlan.render(d,
          List.of("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIO test", "ssh-rsa AAAAB3 other"), List.of())) {
        scripts.put(d + "-" + step.id() + "-check", ShellCheck.REMOTE_PRELUDE + step.check());
        scripts.put(d + "-" + step.id() + "-apply", ShellCheck.REMOTE_PRELUDE + step.apply());
      }
    }
    scripts.put("apt-packages", ShellCheck.REMOTE_PRELUDE
        + BootstrapPlan.aptPackages("p", "t", List.of("caddy", "a b")).apply());
    scripts.put("preflight", ShellCheck.REMOTE_PRELUDE + BootstrapPlan.preflightScript());
    scripts.put("facts", ShellCheck.REMOTE_PRELUDE + BootstrapPlan.factsScript("caddy version | cut -d' ' -f1"));
    AppScriptsSyntax.samples().forEach((label, script) -> scripts.put("app-" + label, ShellCheck.REMOTE_PRELUDE + script));
    scripts.put("host-key-stage", ShellCheck.REMOTE_PRELUDE + HostKeyRotation.stage().script());
    scripts.put("host-key-activate", ShellCheck.REMOTE_PRELUDE
        + HostKeyRotation.activate("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIO test").script());
    // The helper is a program of its own: it has its shebang and its own set -euo pipefail.
    scripts.put("potions-admin", SystemFiles.adminHelper());
    // The build script the helper runs as the build user (inside the helper, it is a string).
    scripts.put("build-as-build-user", SystemFiles.buildScript());
    ShellCheck.assertClean(scripts);
  }

  /** The project's own entry points: the quick start, the test command, CI's and its set-up. */
  @Test
  void theProjectsOwnScriptsPassShellCheck() throws Exception {
    Path root = Path.of(System.getProperty("user.dir")).getParent();
    Map<String, String> scripts = new LinkedHashMap<>();
    for (String file : List.of("potions", "run-tests", ".ci/run", "scripts/test-prerequisites.sh")) {
      scripts.put(file, Files.readString(root.resolve(file)));
    }
    ShellCheck.assertClean(scripts);
  }
}
