package io.jenkins.plugins.openstackagents.pool;

import io.jenkins.plugins.openstackagents.nova.ComputeException;
import io.jenkins.plugins.openstackagents.nova.Server;
import java.time.Clock;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Rebuilds the ledger from Nova after a restart, once, and adopts every server of this controller that the ledger
 * does not know, always with its flavor's resources, so that the quota arithmetic counts its cores and RAM too.
 */
final class Reconciler {

    private static final Logger LOGGER = Logger.getLogger(Reconciler.class.getName());

    private enum Progress { NOT_STARTED, RUNNING, DONE }

    private final String cloudName;
    private final Clock clock;
    private final Ledger ledger;
    private final CloudSnapshots snapshots;
    private Progress progress = Progress.NOT_STARTED; // guarded by this

    Reconciler(String cloudName, Clock clock, Ledger ledger, CloudSnapshots snapshots) {
        this.cloudName = cloudName;
        this.clock = clock;
        this.ledger = ledger;
        this.snapshots = snapshots;
    }

    /**
     * Rebuilds the ledger unless that was done: returns true once it knows what is ours, false while another
     * caller rebuilds it (nothing waits for that, nothing may be decided from the ledger yet).
     */
    boolean reconcileOnce() throws ComputeException {
        synchronized (this) {
            if (progress != Progress.NOT_STARTED) {
                return progress == Progress.DONE;
            }
            progress = Progress.RUNNING;
        }
        boolean done = false;
        try {
            reconcile();
            done = true;
            return true;
        } finally {
            synchronized (this) {
                progress = done ? Progress.DONE : Progress.NOT_STARTED;
            }
        }
    }

    /** Every server carrying this controller's and this cloud's metadata is counted, in the state Nova reports. */
    void reconcile() throws ComputeException {
        int adopted = 0;
        for (Server s : snapshots.servers(clock.instant()).byId().values()) {
            if (adopt(s)) {
                adopted++;
            }
        }
        if (adopted > 0) {
            int n = adopted;
            LOGGER.info(() -> "Cloud " + cloudName + ": found " + n + " server(s) of this controller on Nova");
        }
    }

    /**
     * Makes sure the ledger knows an agent's server before it is deleted (an agent saved before a restart): the
     * rebuild first, and if the server was not in it, adopted as the agent describes it.
     */
    void know(String name, String template, String serverId, String flavor) {
        try {
            reconcileOnce();
        } catch (ComputeException e) {
            // the adoption below still counts the server; the rebuild runs again before the next plan
        }
        if (ledger.get(name).isEmpty()) {
            adopt(name, template, serverId, flavor, Ledger.State.RUNNING, clock.instant());
        }
    }

    /** Records a server of ours the ledger does not know; returns whether it was new to the ledger. */
    boolean adopt(Server s) {
        Optional<Ownership> o = Ownership.of(s.metadata());
        if (o.isEmpty() || ledger.get(o.get().agent()).isPresent()) {
            return false;
        }
        adopt(o.get().agent(), o.get().template(), s.id(), s.flavorId(), stateOf(s),
                s.created() != null ? s.created() : clock.instant());
        return true;
    }

    /** Records a server the ledger does not know, with the resources of its flavor (by id or name). */
    void adopt(String name, String template, String serverId, String flavor, Ledger.State state,
               java.time.Instant created) {
        ledger.adopt(name, template, resources(name, flavor), serverId, state, created);
    }

    /** One instance and its flavor's cores and RAM; only the instance when the flavor cannot be read. */
    private Quota resources(String name, String flavor) {
        if (flavor != null) {
            try {
                return Quota.of(snapshots.flavor(flavor));
            } catch (ComputeException e) {
                LOGGER.fine(() -> "Flavor of " + name + " unknown, counting one instance only: " + e.getMessage());
            }
        }
        return new Quota(1, 0, 0);
    }

    private static Ledger.State stateOf(Server s) {
        switch (s.status()) {
            case BUILD: return Ledger.State.BUILDING;
            case ERROR: return Ledger.State.ERROR;
            default: return Ledger.State.RUNNING;
        }
    }
}
