package io.jenkins.plugins.openstackagents.pool;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The pause of creates after Nova refused one for quota (403, or the late 413): no create is sent before it ends,
 * and then only if the limits, read again, show room. And the log lines about it: once when the quota runs out,
 * once when it is available again, and likewise for the cloud's own instance cap.
 */
final class QuotaWatch {

    private static final Logger LOGGER = Logger.getLogger(QuotaWatch.class.getName());

    private final String cloudName;
    private final Clock clock;
    private final Backoff pause = new Backoff(Duration.ofSeconds(20), Duration.ofMinutes(10)); // guarded by this
    private boolean exhausted; // guarded by this
    private boolean atCloudCap; // guarded by this

    QuotaWatch(String cloudName, Clock clock) {
        this.cloudName = cloudName;
        this.clock = clock;
    }

    synchronized boolean isPaused(Instant now) {
        return pause.isPaused(now);
    }

    /** Why creates are paused now, or null. */
    synchronized String pauseReason() {
        return pause.isPaused(clock.instant())
                ? "creates paused until " + pause.until() + " after: " + pause.reason() : null;
    }

    /** Nova refused a server for quota: creates pause (growing with each refusal). */
    void refused(String message) {
        refusedBy("Nova refused a server", message);
    }

    /** The cloud refused something for quota ({@code what}: who refused what): creates pause likewise. */
    void refusedBy(String what, String message) {
        Duration d;
        synchronized (this) {
            d = pause.failed(clock.instant(), null, message);
        }
        exhausted(() -> what + ": " + message);
        LOGGER.fine(() -> "Cloud " + cloudName + ": no create for " + d.toSeconds() + " s");
    }

    /** A server booted: the quota let it through, the pause's growth starts over. */
    synchronized void booted() {
        pause.succeeded();
    }

    /** What a plan found: logs the changes of the quota's and the cloud cap's hold on demand. */
    void planned(Planner.Plan plan, int cloudCap, Supplier<String> usage) {
        if (plan.bound() == Planner.Bound.QUOTA) {
            exhausted(usage);
        } else {
            available(plan.headroom());
        }
        atCloudCap(plan.bound() == Planner.Bound.CLOUD_CAP, cloudCap);
    }

    private void exhausted(Supplier<String> what) {
        synchronized (this) {
            if (exhausted) {
                return;
            }
            exhausted = true;
        }
        String w = what.get();
        LOGGER.info(() -> "Quota exhausted for cloud " + cloudName + " (" + w + "), waiting");
    }

    private void available(Quota headroom) {
        synchronized (this) {
            if (!exhausted) {
                return;
            }
            exhausted = false;
        }
        LOGGER.info(() -> "Quota available again for cloud " + cloudName + " (free: " + headroom + ")");
    }

    private void atCloudCap(boolean at, int cap) {
        synchronized (this) {
            if (at == atCloudCap) {
                return;
            }
            atCloudCap = at;
        }
        LOGGER.info(() -> at ? "Cloud " + cloudName + " is at its instance cap of " + cap + " servers, waiting"
                : "Cloud " + cloudName + " is below its instance cap again");
    }
}
