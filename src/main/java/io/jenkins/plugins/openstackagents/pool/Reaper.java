package io.jenkins.plugins.openstackagents.pool;

import io.jenkins.plugins.openstackagents.nova.ComputeException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;

/**
 * Deletes servers and watches them until Nova has dropped them (404), so that their quota is free for the next
 * server within seconds. A server keeps counting against quota until then. A delete that could not be sent (the
 * cloud failing, or requests paused) is sent again as soon as requests may leave, and then watched like the first.
 */
final class Reaper {

    private static final Logger LOGGER = Logger.getLogger(Reaper.class.getName());

    static final int REMOVALS_KEPT = 20;
    /** A background watch gives up after this long; the cleanup's passes keep looking then. */
    static final Duration WATCH_MAX = Duration.ofMinutes(10);

    private final String cloudName;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Ledger ledger;
    private final GatedCompute gate;
    private final CloudSnapshots snapshots;
    private final Executor background;
    private final BooleanSupplier abandoned;
    private final FloatingIps floatingIps;
    private final Deque<Removal> removals = new ArrayDeque<>(); // guarded by itself
    private final Set<String> watched = new HashSet<>(); // guarded by itself

    Reaper(String cloudName, Clock clock, Sleeper sleeper, Ledger ledger, GatedCompute gate, CloudSnapshots snapshots,
           Executor background, BooleanSupplier abandoned, FloatingIps floatingIps) {
        this.cloudName = cloudName;
        this.clock = clock;
        this.sleeper = sleeper;
        this.ledger = ledger;
        this.gate = gate;
        this.snapshots = snapshots;
        this.background = background;
        this.abandoned = abandoned;
        this.floatingIps = floatingIps;
    }

    /**
     * Asks Nova to delete a server of the ledger, and watches it until it is gone: in the background, or, with
     * {@code callerWatches}, by the caller's own {@link #awaitGone}.
     */
    void release(String name, String reason, boolean callerWatches) {
        Optional<Ledger.Entry> e = ledger.get(name);
        if (e.isEmpty() || !ledger.startDeleting(name, clock.instant(), reason)) {
            return; // unknown, or its delete is under way (a failed one is sent again by its watch or the cleanup)
        }
        String id = e.get().serverId();
        synchronized (removals) {
            removals.addFirst(new Removal(name, id, reason, clock.instant()));
            while (removals.size() > REMOVALS_KEPT) {
                removals.removeLast();
            }
        }
        if (id == null) {
            ledger.gone(name, clock.instant());
            floatingIps.release(name);
            return;
        }
        Boolean accepted;
        try {
            accepted = send(name, id);
        } catch (ComputeException ex) {
            // the outage itself is logged once by the gate; a delete still failing after 5 min is a WARNING
            LOGGER.info(() -> "Could not delete server " + name + " (" + id + ") of cloud " + cloudName + " yet: "
                    + ex.getMessage() + "; it is sent again as soon as requests may leave");
            watchInBackground(name);
            floatingIps.release(name);
            return;
        }
        floatingIps.release(name); // after the delete: the server's quota is freed first
        if (accepted) {
            LOGGER.info(() -> "Deleting server " + name + " (" + id + ") of cloud " + cloudName + ": " + reason);
            if (!callerWatches) {
                watchInBackground(name);
            }
        } else {
            LOGGER.info(() -> "Server " + name + " (" + id + ") of cloud " + cloudName + " was already gone");
        }
    }

    /** Sends the delete again for a server whose earlier request failed, and watches it until gone. */
    void retry(Ledger.Entry e) {
        synchronized (watched) {
            if (watched.contains(e.name())) {
                return; // its watch sends it as soon as requests may leave
            }
        }
        if (sendAgain(e.name(), e.serverId())) {
            watchInBackground(e.name());
        }
    }

    /** One delete request: true when Nova accepted it, false when the server was already gone. */
    private boolean send(String name, String serverId) throws ComputeException {
        Instant asked = clock.instant();
        if (gate.delete(serverId)) {
            ledger.seen(name, asked);
            ledger.deleteAccepted(name);
            return true;
        }
        ledger.gone(name, clock.instant());
        return false;
    }

    /** A delete sent again; a failure is the cleanup's to retry. Returns whether Nova accepted it. */
    private boolean sendAgain(String name, String serverId) {
        try {
            return send(name, serverId);
        } catch (ComputeException ex) {
            LOGGER.fine(() -> "Delete of " + name + " failed again: " + ex.getMessage());
            return false;
        }
    }

    /**
     * Waits until Nova has dropped a server being deleted, looking after {@link Poll#FIRST} and then after pauses
     * that double (shared lists, {@link CloudSnapshots#servers}). Returns false if it was still there after
     * {@code max}, or once {@code abandoned} says so (the Jenkins that asked is shutting down).
     */
    boolean awaitGone(String name, Duration max, BooleanSupplier abandoned) throws InterruptedException {
        Instant deadline = clock.instant().plus(max);
        Duration pause = Poll.FIRST;
        while (true) {
            Optional<Ledger.Entry> e = ledger.get(name);
            if (e.isEmpty()) {
                return true;
            }
            if (e.get().state() != Ledger.State.DELETING || !clock.instant().isBefore(deadline)) {
                return false;
            }
            sleeper.sleep(pause);
            pause = Poll.next(pause);
            if (abandoned.getAsBoolean()) {
                return false;
            }
            if (lacks(name, e.get().serverId())) {
                return true;
            }
        }
    }

    /** Whether a fresh list lacks the server; if so it is gone from the ledger. */
    private boolean lacks(String name, String serverId) {
        try {
            if (snapshots.servers(clock.instant()).lacks(serverId)) {
                ledger.gone(name, clock.instant());
                LOGGER.fine(() -> "Server " + name + " is gone from cloud " + cloudName);
                return true;
            }
        } catch (ComputeException ex) {
            LOGGER.fine(() -> "Deletion check of " + name + " failed: " + ex.getMessage());
        }
        return false;
    }

    /**
     * Watches a server being deleted on a background thread, one watch per server: sends the delete again once
     * requests may leave if it was not accepted yet, and forgets the server once Nova no longer lists it.
     */
    private void watchInBackground(String name) {
        background.execute(() -> {
            synchronized (watched) {
                if (!watched.add(name)) {
                    return; // one watch per server
                }
            }
            try {
                watch(name);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                synchronized (watched) {
                    watched.remove(name);
                }
            }
        });
    }

    private void watch(String name) throws InterruptedException {
        Instant deadline = clock.instant().plus(WATCH_MAX);
        Duration pause = Poll.FIRST;
        while (clock.instant().isBefore(deadline) && !abandoned.getAsBoolean()) {
            Optional<Ledger.Entry> e = ledger.get(name);
            if (e.isEmpty() || e.get().state() != Ledger.State.DELETING) {
                return;
            }
            if (e.get().deleteAccepted()) {
                awaitGone(name, Duration.between(clock.instant(), deadline), abandoned);
                return;
            }
            Instant until = gate.pausedUntil();
            sleeper.sleep(until == null ? pause : Duration.between(clock.instant(), until).plusMillis(100));
            pause = until == null ? Poll.next(pause) : pause;
            sendAgain(name, e.get().serverId());
        }
    }

    /** The last deletions asked for, newest first. */
    List<Removal> removals() {
        synchronized (removals) {
            return List.copyOf(removals);
        }
    }
}
