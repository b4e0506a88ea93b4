package io.potions.provision;

/**
 * One idempotent piece of server setup, as two bash scripts: {@code check} exits 0 when the server
 * is already as it should be, {@code apply} makes it so. The runner applies only when the check
 * fails, then checks again, so a re-run changes nothing and a step that did not take is caught.
 *
 * @param id short identifier, used in progress events
 * @param title what it does, for people
 * @param check bash that exits 0 when nothing needs doing
 * @param apply bash that brings the server to the desired state
 */
public record BootstrapStep(String id, String title, String check, String apply) {}
