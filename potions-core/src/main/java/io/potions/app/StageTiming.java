package io.potions.app;

import io.potions.event.DeployStage;
import java.time.Duration;
import java.time.Instant;

/**
 * One entry of a deployment's timeline: the stage it entered, when, and how long it stayed.
 *
 * @param stage the stage
 * @param startedAt when it entered it
 * @param duration how long it stayed (zero for the final done, failed or cancelled)
 */
public record StageTiming(DeployStage stage, Instant startedAt, Duration duration) {}
