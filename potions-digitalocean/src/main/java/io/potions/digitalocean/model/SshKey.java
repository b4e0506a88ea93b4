package io.potions.digitalocean.model;

/**
 * A public key registered in the account ({@code /v2/account/keys}).
 *
 * @param id its id
 * @param fingerprint its MD5 fingerprint, as DigitalOcean shows it ({@code aa:bb:...})
 * @param publicKey the OpenSSH public key line
 * @param name its name in the account
 */
public record SshKey(long id, String fingerprint, String publicKey, String name) {}
