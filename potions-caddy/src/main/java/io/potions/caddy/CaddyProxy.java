package io.potions.caddy;

import static io.potions.caddy.CaddyFiles.ADMIN_LISTEN;
import static io.potions.caddy.CaddyFiles.BASE_CONFIG_PATH;
import static io.potions.caddy.CaddyFiles.SERVER_NAME;
import static io.potions.caddy.CaddyFiles.SERVICE_DROP_IN;
import static io.potions.shell.Shell.fileMatches;
import static io.potions.shell.Shell.quote;
import static io.potions.shell.Shell.writeFile;

import io.potions.provision.BootstrapPlan;
import io.potions.provision.BootstrapStep;
import io.potions.provision.Distribution;
import io.potions.spi.ReverseProxy;
import java.util.List;

/**
 * Caddy as the reverse proxy: automatic HTTPS, configured only through its admin API on the
 * server's loopback, with every change persisted so it survives restarts.
 */
public final class CaddyProxy implements ReverseProxy {
  private static final String ADMIN_URL = "http://" + ADMIN_LISTEN;

  @Override
  public String name() {
    return "caddy";
  }

  @Override
  public List<BootstrapStep> bootstrapSteps(Distribution distribution) {
    return List.of(
        BootstrapPlan.aptPackages("caddy-package", "Install Caddy", List.of("caddy")),
        service());
  }

  private static BootstrapStep service() {
    String base = CaddyFiles.baseConfig();
    String dropIn = CaddyFiles.serviceDropIn();
    String hasServer = "curl -fsS --max-time 5 " + ADMIN_URL + "/config/apps/http/servers/" + SERVER_NAME
        + "/listen 2>/dev/null | grep -F ':443' >/dev/null";
    String check = String.join(" && ",
        fileMatches(BASE_CONFIG_PATH, base, "0644", "root:root"),
        fileMatches(SERVICE_DROP_IN, dropIn, "0644", "root:root"),
        "systemctl is-enabled --quiet caddy",
        "systemctl is-active --quiet caddy",
        hasServer);
    String waitForAdmin = "for _ in $(seq 1 60); do curl -fsS --max-time 2 " + ADMIN_URL
        + "/config/ >/dev/null 2>&1 && break; sleep 0.5; done";
    String apply = String.join("\n",
        "install -d -m 0755 /etc/caddy " + quote(SERVICE_DROP_IN.substring(0, SERVICE_DROP_IN.lastIndexOf('/'))),
        writeFile(BASE_CONFIG_PATH, base, "0644", "root:root"),
        writeFile(SERVICE_DROP_IN, dropIn, "0644", "root:root"),
        "systemctl daemon-reload",
        "systemctl enable caddy",
        "systemctl restart caddy",
        waitForAdmin,
        // A config Caddy autosaved before Potions took over (from the Caddyfile) lacks our server:
        // load the base config once. Never done when the server exists, so routes are never wiped.
        "if ! " + hasServer + "; then curl -fsS --max-time 10 -X POST -H 'Content-Type: application/json'"
            + " --data-binary @" + BASE_CONFIG_PATH + " " + ADMIN_URL + "/load; fi");
    return new BootstrapStep("caddy", "Caddy: admin API on " + ADMIN_LISTEN
        + " only, config persisted across restarts", check, apply);
  }

  @Override
  public String versionCommand() {
    return "caddy version | cut -d' ' -f1";
  }
}
