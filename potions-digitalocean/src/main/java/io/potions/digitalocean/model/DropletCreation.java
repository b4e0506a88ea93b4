package io.potions.digitalocean.model;

import java.util.OptionalLong;

/**
 * What {@code POST /v2/droplets} answered: the new droplet (status {@code new}, no address yet) and
 * the id of its {@code create} action, to wait on.
 *
 * @param droplet the droplet as just created
 * @param createActionId the id of its {@code create} action, when DigitalOcean linked one
 */
public record DropletCreation(Droplet droplet, OptionalLong createActionId) {}
