package io.jenkins.plugins.openstackagents.pool;

import io.jenkins.plugins.openstackagents.nova.ComputeException;
import io.jenkins.plugins.openstackagents.nova.Limits;
import io.jenkins.plugins.openstackagents.nova.NeutronQuota;
import java.time.Clock;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * Reservations of servers against the caps and the quota, in two steps: {@link #prepare} reads what they need from
 * the cloud (it may ask Nova, and holds no lock), {@link #reserve} decides from that alone (the caller may hold
 * its own lock across it). Nothing is reserved while requests or creates are paused, before the ledger has been
 * rebuilt after a restart, or during the pause between two creates in a project shared with another controller.
 */
final class Reservations {

    private final Clock clock;
    private final Ledger ledger;
    private final Planner planner;
    private final GatedCompute gate;
    private final CloudSnapshots snapshots;
    private final QuotaWatch quota;
    private final SharedProject shared;
    private final Reconciler reconciler;

    Reservations(Clock clock, Ledger ledger, GatedCompute gate, CloudSnapshots snapshots, QuotaWatch quota,
                 SharedProject shared, Reconciler reconciler, FloatingIps floatingIps) {
        this.clock = clock;
        this.ledger = ledger;
        this.planner = new Planner(ledger, floatingIps);
        this.gate = gate;
        this.snapshots = snapshots;
        this.quota = quota;
        this.shared = shared;
        this.reconciler = reconciler;
    }

    /**
     * Reads what a plan needs, asking Nova if it is stale: the ledger rebuilt after a restart and the limits. Returns
     * null when nothing can be planned now (requests or creates paused, another caller rebuilding the ledger, or
     * this controller pacing its creates in a project it shares); nothing is asked of Nova then.
     */
    LimitsSnapshot prepare() throws ComputeException {
        if (paused(clock.instant()) || !reconciler.reconcileOnce() || shared.pacing(clock.instant())) {
            return null;
        }
        LimitsSnapshot l = snapshots.limits();
        if (!shared.wantsFresh(l, () -> planner.headroom(l))) {
            return l;
        }
        snapshots.forgetLimits();
        return snapshots.limits();
    }

    /**
     * Reserves as many servers of a template as fit in {@code limits} (from {@link #prepare}) now, possibly none,
     * without asking Nova anything. Logs once when the quota runs out and once when it is available again.
     */
    Planner.Plan reserve(Planner.Request request, int cloudCap, Supplier<String> names, LimitsSnapshot limits) {
        Instant now = clock.instant();
        if (limits == null || paused(now)) {
            return Planner.Plan.paused();
        }
        boolean sharing = shared.isShared(limits);
        Planner.Plan plan = planner.reserve(sharing ? request.atMost(1) : request, cloudCap, limits, names, now);
        if (!plan.isEmpty() && sharing) {
            shared.reserved(now);
            snapshots.forgetLimits(); // the next reservation sees what this one and the other controller did
        }
        quota.planned(plan, cloudCap, () -> usage(limits) + "; this controller has " + ledger.count(e -> true)
                + " server(s)");
        return plan;
    }

    private boolean paused(Instant now) {
        return quota.isPaused(now) || gate.isPaused(now);
    }

    private static String usage(LimitsSnapshot snapshot) {
        Limits l = snapshot.limits();
        String nova = "used " + l.usedInstances() + "/" + l.maxInstances() + " instances, " + l.usedCores() + "/"
                + l.maxCores() + " cores, " + l.usedRamMb() + "/" + l.maxRamMb() + " MB RAM";
        if (snapshot.neutron() == null) {
            return nova;
        }
        NeutronQuota n = snapshot.neutron();
        return nova + ", " + n.floatingIps().used() + "/" + n.floatingIps().limit() + " floating IPs, "
                + n.ports().used() + "/" + n.ports().limit() + " ports";
    }
}
