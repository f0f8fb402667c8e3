package io.jenkins.plugins.openstackagents.pool;

import io.github.resilience4j.core.IntervalFunction;
import java.time.Duration;
import java.time.Instant;

/**
 * A pause after failures: each consecutive failure pauses longer, exponentially with random jitter (resilience4j's
 * {@link IntervalFunction}), never less than what the cloud asked for (Retry-After), never more than a maximum.
 * Driven by the caller's clock, so that tests and the benchmark can run it in virtual time; not thread-safe on its
 * own (its owner synchronizes).
 */
final class Backoff {

    private final IntervalFunction intervals;
    private int failures;
    private Instant until;
    private String reason;

    /** Pauses start at {@code initial}, double with each failure (jittered by half), and stop growing at {@code max}. */
    Backoff(Duration initial, Duration max) {
        this.intervals = IntervalFunction.ofExponentialRandomBackoff(initial, 2.0, 0.5, max);
    }

    /** Records a failure at {@code now}; returns how long the pause is. */
    Duration failed(Instant now, Duration atLeast, String why) {
        failures++;
        Duration d = Duration.ofMillis(intervals.apply(failures));
        if (atLeast != null && atLeast.compareTo(d) > 0) {
            d = atLeast;
        }
        until = now.plus(d);
        reason = why;
        return d;
    }

    /** A success ends the pause and resets the growth. Returns whether there had been failures. */
    boolean succeeded() {
        boolean had = failures > 0;
        failures = 0;
        until = null;
        reason = null;
        return had;
    }

    boolean isPaused(Instant now) {
        return until != null && now.isBefore(until);
    }

    int failures() {
        return failures;
    }

    Instant until() {
        return until;
    }

    String reason() {
        return reason;
    }
}
