package io.potions.app;

import java.util.Optional;

/**
 * What is live for an app right now.
 *
 * @param app app name
 * @param liveSlot the slot serving traffic, if any release was ever deployed
 * @param liveRelease the release in that slot
 * @param liveCommit the commit it was built from
 * @param running whether the live slot's unit is active
 * @param healthy whether it answered its health check just now
 * @param domains the app's domains
 */
public record AppStatus(String app, Optional<Slot> liveSlot, Optional<String> liveRelease,
    Optional<String> liveCommit, boolean running, boolean healthy, java.util.List<String> domains) {}
