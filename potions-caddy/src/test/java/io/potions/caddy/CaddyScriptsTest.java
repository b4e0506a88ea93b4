package io.potions.caddy;

import static org.assertj.core.api.Assertions.assertThat;

import io.potions.internal.shell.ShellCheck;
import io.potions.provision.BootstrapStep;
import io.potions.provision.Distribution;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Caddy's scripts pass ShellCheck, and its systemd drop-in is exactly what the server gets. */
class CaddyScriptsTest {
  @Test
  void everyCaddyScriptPassesShellCheck() throws Exception {
    Map<String, String> scripts = new LinkedHashMap<>();
    for (Distribution d : Distribution.values()) {
      for (BootstrapStep step : new CaddyProxy().bootstrapSteps(d)) {
        scripts.put(d + "-" + step.id() + "-check", ShellCheck.REMOTE_PRELUDE + step.check());
        scripts.put(d + "-" + step.id() + "-apply", ShellCheck.REMOTE_PRELUDE + step.apply());
      }
    }
    scripts.put("read-server", ShellCheck.REMOTE_PRELUDE + CaddyProxy.readServerScript());
    scripts.put("write-server", ShellCheck.REMOTE_PRELUDE + CaddyProxy.writeServerScript("\"abc'def\""));
    scripts.put("write-server-no-etag", ShellCheck.REMOTE_PRELUDE + CaddyProxy.writeServerScript(null));
    scripts.put("write-logging", ShellCheck.REMOTE_PRELUDE + CaddyProxy.writeLoggingScript());
    scripts.put("write-acme-root", ShellCheck.REMOTE_PRELUDE + CaddyTls.writeRootScript());
    scripts.put("maintenance-on", ShellCheck.REMOTE_PRELUDE + CaddyMaintenance.onScript("shop"));
    scripts.put("maintenance-off", ShellCheck.REMOTE_PRELUDE + CaddyMaintenance.offScript("shop"));
    scripts.put("read-tls", ShellCheck.REMOTE_PRELUDE + CaddyTls.readScript());
    scripts.put("write-tls", ShellCheck.REMOTE_PRELUDE + CaddyTls.writeScript());
    ShellCheck.assertClean(scripts);
  }

  @Test
  void theServiceDropInIsExactlyThis() {
    assertThat(CaddyFiles.serviceDropIn()).isEqualTo("""
        # Managed by Potions: Caddy is configured through its admin API and resumes the last config.
        [Service]
        ExecStart=
        ExecStart=/usr/bin/caddy run --environ --resume --config /etc/caddy/potions.json
        ExecReload=
        ExecReload=/usr/bin/caddy reload --config /var/lib/caddy/.config/caddy/autosave.json --force --address 127.0.0.1:2019
        """);
  }

  @Test
  void theServiceStepLoadsTheBaseConfigOnlyWhenOurServerIsMissing() {
    BootstrapStep step = new CaddyProxy().bootstrapSteps(Distribution.DEBIAN_12).get(1);
    assertThat(step.apply()).contains("if ! curl -fsS --max-time 5 http://127.0.0.1:2019/config/apps/http/servers/potions"
        + "/listen 2>/dev/null | grep -F ':443' >/dev/null; then curl -fsS --max-time 10 -X POST"
        + " -H 'Content-Type: application/json' --data-binary @/etc/caddy/potions.json http://127.0.0.1:2019/load; fi");
    assertThat(CaddyProxy.writeServerScript("\"x\"")).contains(" -H 'If-Match: \"x\"' --data-binary @- ");
    assertThat(CaddyProxy.writeServerScript(null)).doesNotContain("If-Match");
  }
}
