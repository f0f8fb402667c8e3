package io.jenkins.plugins.openstackagents.pool;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Creates in a project this controller may share with another (a second Jenkins, a person's servers). Until
 * Nova's usage has once matched what this controller counts, and for {@link #MEMORY} after it last showed servers
 * the ledger does not know, creates go out one at a time, a jittered pause apart, each after a fresh read of the
 * limits: two controllers starting together then see each other's servers instead of both taking the same room (and
 * Nova refusing one of them), and both keep getting room as it frees. Remembered, because the other controller
 * having no server at one read (between its builds) does not mean it will not create at the next moment.
 */
final class SharedProject {

    private static final Logger LOGGER = Logger.getLogger(SharedProject.class.getName());

    /** The pause after a create in a shared project: between these, at random. */
    static final Duration MIN_PACE = Duration.ofSeconds(1);
    static final Duration MAX_PACE = Duration.ofSeconds(3);
    /** How long a project counts as shared after Nova last counted a server this controller did not start. */
    static final Duration MEMORY = Duration.ofMinutes(10);

    private final String cloudName;
    private final Ledger ledger;
    private final Random random = new SecureRandom();
    private boolean confirmedAlone; // guarded by this
    private Boolean lastForeign; // guarded by this: for the log line on change
    private Instant pacedUntil = Instant.MIN; // guarded by this
    private LimitsSnapshot lastChecked; // guarded by this: the last read judged, and the answer
    private boolean lastConfirmed; // guarded by this
    private boolean lastShared; // guarded by this
    private Instant foreignSeenAt; // guarded by this: the read time of the last limits showing foreign servers

    SharedProject(String cloudName, Ledger ledger) {
        this.cloudName = cloudName;
        this.ledger = ledger;
    }

    /**
     * Whether creates must go one at a time by these limits: Nova counted more instances than the ledger
     * accounts for when they were read, or it has never yet been seen counting no more than this controller's.
     */
    boolean isShared(LimitsSnapshot l) {
        synchronized (this) {
            if (l == lastChecked && confirmedAlone == lastConfirmed) {
                return lastShared; // the same read: the same answer (what Nova counted then does not change)
            }
        }
        int used = l.limits().usedInstances();
        int ours = ledger.possiblyCountedAt(l.readAt());
        boolean foreign = used > ours;
        boolean shared;
        boolean changed;
        synchronized (this) {
            if (!confirmedAlone && ours > 0 && used <= ours) {
                confirmedAlone = true;
            }
            if (foreign && (foreignSeenAt == null || l.readAt().isAfter(foreignSeenAt))) {
                foreignSeenAt = l.readAt();
            }
            boolean recently = foreignSeenAt != null && l.readAt().isBefore(foreignSeenAt.plus(MEMORY));
            shared = foreign || recently || !confirmedAlone;
            changed = lastForeign != null && lastForeign != foreign;
            lastForeign = foreign;
            lastChecked = l;
            lastConfirmed = confirmedAlone;
            lastShared = shared;
        }
        if (changed) {
            LOGGER.info(() -> foreign ? "Cloud " + cloudName + ": Nova counts " + (used - ours) + " server(s) this"
                    + " controller did not start; creating one server at a time"
                    : "Cloud " + cloudName + ": Nova counts only this controller's servers again; one server at a time"
                    + " for " + MEMORY.toMinutes() + " min more");
        }
        return shared;
    }

    /** The administrator (or a test) says no one else creates servers in this project: no pacing at start. */
    synchronized void soleUser() {
        confirmedAlone = true;
    }

    /** Whether the pause after the last create in a shared project still runs. */
    synchronized boolean pacing(Instant now) {
        return now.isBefore(pacedUntil);
    }

    /** A server was reserved in a shared project: the next one waits a jittered pause. */
    synchronized void reserved(Instant now) {
        long span = MAX_PACE.toMillis() - MIN_PACE.toMillis();
        pacedUntil = now.plus(MIN_PACE).plusMillis((long) (random.nextDouble() * span));
    }

    /**
     * Whether these limits are too old to reserve from in a shared project: read before the last pause ended, and
     * showing room (at quota they are read again only at the usual interval, so waiting costs no requests; and read
     * once after a pause, they are not read again before the next reservation).
     */
    boolean wantsFresh(LimitsSnapshot l, Supplier<Quota> headroom) {
        Instant until;
        synchronized (this) {
            until = pacedUntil;
        }
        return l.readAt().isBefore(until) && isShared(l) && headroom.get().instances() != 0;
    }
}
