package io.potions.caddy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.potions.app.domain.AcmeSettings;
import io.potions.internal.provision.ServerLayout;

/**
 * Pure edits of Caddy's TLS app: one automation policy, tagged {@value #POLICY_ID}, whose ACME
 * issuer is the instance's directory (with the root to trust for it, and the account email).
 * Policies someone added by hand are kept, after ours.
 */
final class CaddyTls {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The {@code @id} of the automation policy the SDK manages. */
  static final String POLICY_ID = "potions-acme";
  /**
   * Where the directory's root is kept on the server: under the deploy user's tree (it writes it),
   * readable by Caddy's user (a CA certificate is public).
   */
  static final String ROOT_DIR = ServerLayout.ROOT + "/.acme";
  /** The directory root's file. */
  static final String ROOT_FILE = ROOT_DIR + "/directory-root.pem";

  private CaddyTls() {}

  /**
   * @param acme the ACME settings
   * @return the automation policy: one ACME issuer, for every subject no earlier policy covers
   */
  static ObjectNode renderPolicy(AcmeSettings acme) {
    ObjectNode policy = JSON.createObjectNode();
    policy.put("@id", POLICY_ID);
    ObjectNode issuer = policy.putArray("issuers").addObject();
    issuer.put("module", "acme");
    issuer.put("ca", acme.directory().toString());
    acme.email().ifPresent(email -> issuer.put("email", email));
    if (acme.directoryRootPem().isPresent()) {
      issuer.putArray("trusted_roots_pem_files").add(ROOT_FILE);
    }
    return policy;
  }

  /**
   * @param tls the current TLS app (null or a JSON null when there is none)
   * @param acme the ACME settings
   * @return a copy whose first automation policy is ours (replacing an earlier one of ours)
   */
  static ObjectNode withAcme(JsonNode tls, AcmeSettings acme) {
    ObjectNode copy = tls != null && tls.isObject() ? tls.deepCopy() : JSON.createObjectNode();
    ObjectNode automation = copy.path("automation").isObject()
        ? (ObjectNode) copy.get("automation") : copy.putObject("automation");
    ArrayNode policies = automation.path("policies").isArray()
        ? (ArrayNode) automation.get("policies") : automation.putArray("policies");
    for (int i = policies.size() - 1; i >= 0; i--) {
      if (POLICY_ID.equals(policies.get(i).path("@id").asText())) {
        policies.remove(i);
      }
    }
    policies.insert(0, renderPolicy(acme));
    return copy;
  }

  /**
   * @param tls the current TLS app
   * @param acme the ACME settings
   * @return whether {@link #withAcme} would change nothing (so Caddy is not reloaded for nothing)
   */
  static boolean isCurrent(JsonNode tls, AcmeSettings acme) {
    return tls != null && tls.isObject() && withAcme(tls, acme).equals(tls);
  }

  /** @return a script writing the directory root from stdin, world-readable, replacing it atomically */
  static String writeRootScript() {
    return CaddyFiles.writePublicFile(ROOT_DIR, ROOT_FILE);
  }

  /** @return a script printing the TLS app's JSON ({@code null} when there is none) */
  static String readScript() {
    return "curl -fsS --max-time 10 http://" + CaddyFiles.ADMIN_LISTEN + "/config/apps/tls";
  }

  /** @return a script POSTing the TLS app from stdin (POST sets it whether or not it existed) */
  static String writeScript() {
    return CaddyFiles.template("write-logging.sh").raw("URL", "http://" + CaddyFiles.ADMIN_LISTEN + "/config/apps/tls").render();
  }
}
