package io.jenkins.plugins.openstackagents.pool;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Which kinds of call to a cloud are failing, so that an outage is logged once when it starts and once when it
 * ends. It starts with the first failure while no kind is failing; it ends when every kind that failed has
 * answered again. A kind that failed and was not tried since {@link #FORGET_AFTER} no longer holds the outage
 * open (nothing asked again whether it works). Deletes failing while lists work are one outage, not one per
 * retry. Not thread-safe on its own (its owner synchronizes).
 */
final class FailingCalls {

    static final Duration FORGET_AFTER = Duration.ofMinutes(10);

    private final Map<String, Instant> lastFailure = new HashMap<>();
    private int failures;

    /** Records a failed call of this kind; returns whether it starts an outage (worth a WARNING). */
    boolean failed(String kind, Instant now) {
        forgetOld(now);
        boolean starts = lastFailure.isEmpty();
        if (starts) {
            failures = 0;
        }
        lastFailure.put(kind, now);
        failures++;
        return starts;
    }

    /**
     * Records a call of this kind that worked; returns the failed calls of the outage it ends (worth an INFO), or
     * 0 when it ends none.
     */
    int recovered(String kind, Instant now) {
        boolean was = !lastFailure.isEmpty();
        lastFailure.remove(kind);
        forgetOld(now);
        if (was && lastFailure.isEmpty()) {
            int n = failures;
            failures = 0;
            return n;
        }
        return 0;
    }

    /** Failed calls since the outage started. */
    int failures() {
        return failures;
    }

    private void forgetOld(Instant now) {
        lastFailure.values().removeIf(t -> t.plus(FORGET_AFTER).isBefore(now));
    }
}
