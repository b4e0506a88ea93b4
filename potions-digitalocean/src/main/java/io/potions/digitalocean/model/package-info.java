/**
 * DigitalOcean API v2 objects as the SDK reads and sends them: immutable records, with only the
 * fields the SDK uses (unknown fields in answers are ignored).
 */
package io.potions.digitalocean.model;
