package io.potions.app;

import java.time.Duration;

/**
 * One stage of a deployment and how it went.
 *
 * @param name {@code build}, {@code verify} or {@code switch}
 * @param status {@code succeeded}, {@code failed} or {@code skipped}
 * @param duration how long it took
 */
public record Stage(String name, String status, Duration duration) {}
