package io.potions.caddy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.potions.internal.shell.ScriptTemplate;

/** Pure renderers for Caddy's files on the server. */
final class CaddyFiles {
  private CaddyFiles() {}

  /** Where Caddy's admin API listens: the server's loopback only, never a public interface. */
  public static final String ADMIN_LISTEN = "127.0.0.1:2019";
  /** The base JSON config Caddy starts from when it has no autosaved config yet. */
  public static final String BASE_CONFIG_PATH = "/etc/caddy/potions.json";
  /** The systemd drop-in that makes the packaged caddy.service API-driven and persistent. */
  public static final String SERVICE_DROP_IN = "/etc/systemd/system/caddy.service.d/potions.conf";
  /** Where Caddy (running as user caddy) autosaves every config change. */
  public static final String AUTOSAVE = "/var/lib/caddy/.config/caddy/autosave.json";
  /** The name of the HTTP server every app route lives in. */
  public static final String SERVER_NAME = "potions";

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * The config Caddy starts from on a fresh server: admin API on loopback, one HTTP server on :80
   * and :443 with no routes yet.
   *
   * @return JSON text
   */
  public static String baseConfig() {
    ObjectNode root = JSON.createObjectNode();
    root.putObject("admin").put("listen", ADMIN_LISTEN);
    ObjectNode server = root.putObject("apps").putObject("http").putObject("servers").putObject(SERVER_NAME);
    ArrayNode listen = server.putArray("listen");
    listen.add(":80");
    listen.add(":443");
    server.putArray("routes");
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Debian's caddy.service runs the Caddyfile, and reloading it would replace whatever the API set.
   * This drop-in makes the same service resume the last config the API saved (falling back to the
   * base config on first start), so routes survive restarts and reboots, and makes reload re-apply
   * the saved config instead of the Caddyfile.
   *
   * @return the drop-in
   */
  public static String serviceDropIn() {
    return template("caddy-service.conf")
        .raw("BASE_CONFIG", BASE_CONFIG_PATH)
        .raw("AUTOSAVE", AUTOSAVE)
        .raw("ADMIN_LISTEN", ADMIN_LISTEN)
        .render();
  }

  /**
   * @param name a file under {@code src/main/resources/io/potions/caddy/scripts/}
   * @return its template
   */
  /**
   * @param dir the directory (made if missing)
   * @param file the file in it
   * @return a script writing its stdin to the file, world-readable, appearing whole (renamed into place)
   */
  static String writePublicFile(String dir, String file) {
    return template("write-public-file.sh").quoted("DIR", dir).quoted("FILE", file).render();
  }

  static ScriptTemplate template(String name) {
    return ScriptTemplate.load(CaddyFiles.class, "/io/potions/caddy/scripts/" + name);
  }
}
