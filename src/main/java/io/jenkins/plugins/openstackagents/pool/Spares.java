package io.jenkins.plugins.openstackagents.pool;

import java.util.Map;
import java.util.function.Predicate;
import java.util.logging.Logger;

/**
 * The spare agents of one cloud: how many of a template to start, why replenishing waits (said once when it stops
 * for a paused cloud or the quota, and once when it goes on), and the spares deleted to make room for waiting
 * builds (one at a time: none while the last one's server still counts).
 */
public final class Spares {

    private static final Logger LOGGER = Logger.getLogger(Spares.class.getName());

    /** Why no spare is started now. */
    public enum Wait {
        /** Nothing stops it (or no spare is missing). */
        NONE(null),
        /** A build waits that this cloud could start an agent for: it comes first. */
        DEMAND("builds are waiting for agents of this cloud"),
        /** Requests to the cloud are paused. */
        PAUSED("requests to the cloud are paused"),
        /** Creates go one at a time in a project others use too, or the ledger is being rebuilt: a moment. */
        PACING("creates wait their turn"),
        /** The quota or an instance cap leaves no room. */
        NO_ROOM("the quota or an instance cap leaves no room");

        private final String sentence;

        Wait(String sentence) {
            this.sentence = sentence;
        }

        public String sentence() {
            return sentence;
        }

        /** Whether an operator hears of it: a paused cloud or a full quota; a build waiting is the normal case. */
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

    private final String cloudName;
    private final Ledger ledger;
    private Wait wait = Wait.NONE;
    private String waitDetail;
    private boolean said;
    private String evicted;
    private int evictions;

    Spares(String cloudName, Ledger ledger) {
        this.cloudName = cloudName;
        this.ledger = ledger;
    }

    /** Records why replenishing waits now ({@link Wait#NONE}: it does not); logs a change an operator needs. */
    public synchronized void waiting(Wait w, String detail) {
        if (w.said() && !said) {
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
        if (evicted != null && ledger.get(evicted).isPresent()) {
            return false;
        }
        evicted = name;
        evictions++;
        return true;
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
