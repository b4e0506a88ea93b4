/**
 * DigitalOcean for Potions: {@link io.potions.digitalocean.DigitalOceanProvider}, the {@link
 * io.potions.spi.CloudProvider} that creates droplets, and {@link
 * io.potions.digitalocean.DigitalOceanClient}, the API client beneath it, usable on its own.
 */
package io.potions.digitalocean;
