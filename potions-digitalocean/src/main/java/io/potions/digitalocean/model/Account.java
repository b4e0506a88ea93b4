package io.potions.digitalocean.model;

/**
 * The account the token belongs to ({@code GET /v2/account}).
 *
 * @param dropletLimit how many droplets the account may have
 * @param floatingIpLimit how many reserved IPs the account may have
 * @param email the account's email address
 * @param uuid the account's id
 * @param emailVerified whether the email address was verified
 * @param status {@code active}, {@code warning} or {@code locked}
 * @param statusMessage why the account is not active, when it is not
 */
public record Account(
    int dropletLimit, int floatingIpLimit, String email, String uuid, boolean emailVerified,
    String status, String statusMessage) {

  /** @return whether the account may create resources */
  public boolean isActive() {
    return "active".equals(status);
  }
}
