package io.jenkins.plugins.openstackagents.pool;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.logging.Logger;

/**
 * The spare agents of one cloud: how many of a template to start, why replenishing waits (said once when it stops
 * for a paused cloud or the quota, and once when it goes on), and the spares deleted to make room for waiting
 * builds (one at a time: none while the last one's server still counts).
 */
public final class Spares {

    private static final Logger LOGGER = Logger.getLogger(Spares.class.getName());

    /** Why no spare is started now; in order: a later one says more when several templates wait. */
    public enum Wait {
        /** Nothing stops it (or no spare is missing). */
        NONE(null),
        /** A build waits that this cloud could start an agent for: it comes first. */
        DEMAND("builds are waiting for agents of this cloud"),
        /** Creates go one at a time in a project others use too, or the ledger is being rebuilt: a moment. */
        PACING("creates wait their turn"),
        /** A template cannot start agents now (a flavor the cloud lacks, an image Nova refused): said above. */
        TEMPLATE("a template cannot start agents now"),
        /** Requests to the cloud are paused. */
        PAUSED("requests to the cloud are paused"),
        /** The quota or an instance cap leaves no room. */
        NO_ROOM("the quota or an instance cap leaves no room");

        private final String sentence;

        Wait(String sentence) {
            this.sentence = sentence;
        }

        public String sentence() {
            return sentence;
        }

        /**
         * Whether an operator hears of it: a paused cloud or a full quota; a build waiting is the normal case, and a
         * template's problem is said where it is found.
         */
        boolean said() {
            return this == PAUSED || this == NO_ROOM;
        }
    }

    /** One template's spares: how many are wanted, online and idle, and on their way. */
    public record Count(int wanted, int ready, int starting) {
        /** How many more to start. */
        public int missing() {
            return Math.max(0, wanted - ready - starting);
        }
    }

    /**
     * Passes in a row with no room before it is said: a single-use agent's server counts until Nova drops it, so one
     * or two passes without room between builds are the normal case at the quota, not news.
     */
    static final int NO_ROOM_PASSES = 3;
    /** A spare deleted to make room whose server still counts after this long no longer holds up the next one. */
    static final Duration EVICTION_HOLD = Duration.ofMinutes(10);

    private final String cloudName;
    private final Ledger ledger;
    private final Clock clock;
    private final AtomicBoolean replenishing = new AtomicBoolean();
    private Wait wait = Wait.NONE;
    private String waitDetail;
    private int noRoomPasses;
    private boolean said;
    private String evicted;
    private Instant evictedAt;
    private int evictions;
    private final Map<String, Integer> failures = new java.util.HashMap<>();
    private final Map<String, Instant> retryAt = new java.util.HashMap<>();

    Spares(String cloudName, Ledger ledger, Clock clock) {
        this.cloudName = cloudName;
        this.ledger = ledger;
        this.clock = clock;
    }

    /** Starts a replenishing pass unless one runs (two cleanup passes can run at once); {@link #done} ends it. */
    public boolean begin() {
        return replenishing.compareAndSet(false, true);
    }

    public void done() {
        replenishing.set(false);
    }

    /** Records why replenishing waits now ({@link Wait#NONE}: it does not); logs a change an operator needs. */
    public synchronized void waiting(Wait w, String detail) {
        noRoomPasses = w == Wait.NO_ROOM ? noRoomPasses + 1 : 0;
        if (w.said() && !said && (w != Wait.NO_ROOM || noRoomPasses >= NO_ROOM_PASSES)) {
            said = true;
            LOGGER.info(() -> "Cloud " + cloudName + " stops starting spare agents: " + w.sentence()
                    + (detail == null ? "" : " (" + detail + ")"));
        } else if (w == Wait.NONE && said) {
            said = false;
            LOGGER.info(() -> "Cloud " + cloudName + " starts spare agents again");
        }
        wait = w;
        waitDetail = detail;
    }

    /** Why replenishing waits, as a sentence; null when it does not. */
    public synchronized String waitReason() {
        if (wait == Wait.NONE) {
            return null;
        }
        return waitDetail == null ? wait.sentence() : wait.sentence() + " (" + waitDetail + ")";
    }

    /**
     * Whether a spare may be deleted now to make room for a waiting build: not while the server of the last one so
     * deleted still counts against the quota (one at a time, so a burst of waiting builds deletes no more spares than
     * the room it needs). Records the one chosen when it may.
     */
    public synchronized boolean mayEvict(String name) {
        Instant now = clock.instant();
        if (evicted != null && ledger.get(evicted).isPresent() && now.isBefore(evictedAt.plus(EVICTION_HOLD))) {
            return false;
        }
        evicted = name;
        evictedAt = now;
        evictions++;
        return true;
    }

    /** The spare chosen by {@link #mayEvict} was not deleted after all (another reason came first). */
    public synchronized void notEvicted(String name) {
        if (name.equals(evicted)) {
            evicted = null;
            evictions--;
        }
    }

    /**
     * A spare of this template did not come online (its server in ERROR, a boot or connect timeout): the next one
     * waits 1 min, then 2, 4, ... at most 30 min, so a template whose servers cannot boot is not started every pass.
     */
    public synchronized void failed(String template) {
        int n = failures.merge(template, 1, Integer::sum);
        Duration wait = Duration.ofMinutes(Math.min(30, 1L << Math.min(n - 1, 5)));
        retryAt.put(template, clock.instant().plus(wait));
        LOGGER.info(() -> "Cloud " + cloudName + ": a spare agent of template " + template + " did not start ("
                + n + " in a row); the next spare of " + template + " in " + wait.toMinutes() + " min");
    }

    /** A spare of this template came online: the next one needs no wait. */
    public synchronized void started(String template) {
        failures.remove(template);
        retryAt.remove(template);
    }

    /** Whether a spare of this template may be started now (no wait after failures). */
    public synchronized boolean mayStart(String template) {
        Instant at = retryAt.get(template);
        return at == null || !clock.instant().isBefore(at);
    }

    /** Spares deleted to make room for waiting builds since start. */
    public synchronized int evictions() {
        return evictions;
    }

    /** Spares of templates on their way: launches started to replenish, by template. */
    public Map<String, Integer> starting(Predicate<String> template) {
        Map<String, Integer> r = new java.util.TreeMap<>();
        for (Map.Entry<String, Ledger.Launch> l : ledger.launching().entrySet()) {
            if (l.getValue() != Ledger.Launch.SPARE) {
                continue;
            }
            ledger.get(l.getKey()).map(Ledger.Entry::template).filter(template)
                    .ifPresent(t -> r.merge(t, 1, Integer::sum));
        }
        return r;
    }
}
