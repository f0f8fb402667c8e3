package io.jenkins.plugins.openstackagents.pool;

import io.jenkins.plugins.openstackagents.nova.Compute;
import io.jenkins.plugins.openstackagents.nova.ComputeException;
import io.jenkins.plugins.openstackagents.nova.ComputeFactory;
import io.jenkins.plugins.openstackagents.nova.ConnectionSettings;
import io.jenkins.plugins.openstackagents.nova.Server;
import io.jenkins.plugins.openstackagents.nova.ServerRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The provisioning state of one cloud that outlives its configuration bean, wired together: the {@link Ledger},
 * the {@link GatedCompute gate} every request goes through, what was last read ({@link CloudSnapshots}), the
 * quota pause ({@link QuotaWatch}), pacing in a shared project ({@link SharedProject}), reserving
 * ({@link Reservations}), creating and booting ({@link Launcher}), deleting ({@link Reaper}), the rebuild after a
 * restart ({@link Reconciler}) and the cleanup's cloud side ({@link Janitor}). Plain Java; the
 * Jenkins classes call it and nothing else. No lock is held while a request to the cloud is in flight.
 */
public final class CloudRuntime {

    /** Runs nothing: background watches are left to the cleanup's passes (unit tests, the benchmark). */
    public static final Executor NO_BACKGROUND = r -> { };

    private final String controllerId;
    private final Clock clock;
    private final Ledger ledger = new Ledger();
    private final ApiStats stats = new ApiStats();
    private final GatedCompute gate;
    private final CloudSnapshots snapshots;
    private final QuotaWatch quota;
    private final SharedProject shared;
    private final Reservations reservations;
    private final Reaper reaper;
    private final Launcher launcher;
    private final Reconciler reconciler;
    private final Janitor janitor;
    private final Spares spares;
    private final FloatingIps floatingIps;

    public CloudRuntime(String cloudName, String controllerId, ComputeFactory factory, Clock clock, Sleeper sleeper) {
        this(cloudName, controllerId, factory, clock, sleeper, NO_BACKGROUND, () -> true);
    }

    /**
     * @param background runs the watches of deletes no caller waits for (a thread pool in Jenkins)
     * @param abandoned whether those watches are to stop without another request (Jenkins is shutting down: the
     *     next one's cleanup watches the servers)
     */
    public CloudRuntime(String cloudName, String controllerId, ComputeFactory factory, Clock clock, Sleeper sleeper,
                        Executor background, BooleanSupplier abandoned) {
        this.controllerId = controllerId;
        this.clock = clock;
        gate = new GatedCompute(cloudName, factory, clock, stats);
        gate.setRequestsPerSecond(Defaults.REQUESTS_PER_SECOND);
        floatingIps = new FloatingIps(cloudName, controllerId, clock, sleeper, gate, ledger);
        snapshots = new CloudSnapshots(cloudName, controllerId, gate, ledger, clock, () -> true);
        quota = new QuotaWatch(cloudName, clock);
        shared = new SharedProject(cloudName, ledger);
        reaper = new Reaper(cloudName, clock, sleeper, ledger, gate, snapshots, background, abandoned, floatingIps);
        launcher = new Launcher(cloudName, clock, sleeper, ledger, gate, snapshots, quota, reaper, stats);
        reconciler = new Reconciler(cloudName, clock, ledger, snapshots);
        reservations = new Reservations(clock, ledger, gate, snapshots, quota, shared, reconciler, floatingIps);
        janitor = new Janitor(cloudName, clock, ledger, snapshots, reaper, reconciler, floatingIps);
        spares = new Spares(cloudName, ledger, clock);
    }

    /** The spare agents' state: why replenishing waits, the spares deleted to make room. */
    public Spares spares() {
        return spares;
    }

    public String controllerId() {
        return controllerId;
    }

    public Ledger ledger() {
        return ledger;
    }

    public ApiStats stats() {
        return stats;
    }

    /** What was last read of the cloud: limits, flavors, the shared list of this cloud's servers. */
    public CloudSnapshots snapshots() {
        return snapshots;
    }

    /** The cloud side of the periodic cleanup. */
    public Janitor janitor() {
        return janitor;
    }

    /**
     * No one else creates servers in this project: creates need not go one at a time until Nova's figures have
     * shown that (they still do once Nova counts servers this controller did not start).
     */
    public void assumeSoleUser() {
        shared.soleUser();
    }

    /** Connects with these settings, unless already connected with equal ones; the ledger is kept. */
    public void connect(ConnectionSettings s) {
        if (gate.connect(s)) {
            snapshots.reset();
        }
    }

    /** The gate to this cloud, when connected with exactly these settings (for the configuration forms). */
    public Optional<Compute> gateFor(ConnectionSettings s) {
        return gate.isConnectedWith(s) ? Optional.of(gate) : Optional.empty();
    }

    /** How often Nova's limits are read at most (they are read again at once after a quota error). */
    public void setLimitsInterval(Duration d) {
        snapshots.setLimitsInterval(d);
    }

    /** The most requests per second this cloud receives from this controller, all operations together. */
    public void setRequestsPerSecond(int n) {
        gate.setRequestsPerSecond(n);
    }

    /** Reads what a plan needs, asking Nova if it is stale ({@link Reservations#prepare}); null: plan nothing now. */
    public LimitsSnapshot prepare() throws ComputeException {
        return reservations.prepare();
    }

    /** Reserves what fits in {@code limits} now, asking Nova nothing ({@link Reservations#reserve}). */
    public Planner.Plan reserve(Planner.Request request, int cloudCap, Supplier<String> names, LimitsSnapshot limits) {
        return reservations.reserve(request, cloudCap, names, limits);
    }

    /** {@link #prepare} and {@link #reserve} in one step (the caller holds no lock across it). */
    public Planner.Plan plan(Planner.Request request, int cloudCap, Supplier<String> names) throws ComputeException {
        return reserve(request, cloudCap, names, prepare());
    }

    /** Gives back a reservation that was never sent to Nova. */
    public void cancel(String name) {
        ledger.gone(name, clock.instant());
    }

    /** Sends the create request of a reserved server; Nova answered 202 when this returns. */
    public Server create(String name, ServerRequest request) throws ComputeException {
        return launcher.create(name, request);
    }

    /**
     * Watches a created server until it is ACTIVE, or its agent has connected ({@code agentConnected}, may be
     * null); on ERROR or timeout it is deleted and the failure thrown.
     */
    public Server awaitActive(String name, Server server, Duration bootTimeout, BooleanSupplier agentConnected)
            throws ComputeException, InterruptedException {
        return launcher.awaitActive(name, server, bootTimeout, agentConnected);
    }

    /**
     * Whether a template of this cloud allocates floating IPs: the cleanup then looks for leaked floating IPs on
     * its passes.
     */
    public void setFloatingIpsWanted(boolean wanted) {
        floatingIps.setWanted(wanted);
    }

    /**
     * Gives a server a floating IP: allocated on {@code poolId} (with the agent's ownership in its description) and
     * associated with the server's port on {@code networkId} (its first when null); released with the server.
     * Neutron's quota refusal pauses creates like Nova's, and is thrown.
     */
    public io.jenkins.plugins.openstackagents.nova.FloatingIp attachFloatingIp(Ownership owner, String serverId,
            String poolId, String networkId, Duration max) throws ComputeException, InterruptedException {
        try {
            return floatingIps.attach(owner, serverId, poolId, networkId, max);
        } catch (ComputeException e) {
            if (e.is(ComputeException.Kind.QUOTA_EXCEEDED)) {
                snapshots.forgetLimits();
                quota.refusedBy("Neutron refused a floating IP", e.getMessage());
            }
            throw e;
        }
    }

    /** The address of an agent's floating IP, if it has one. */
    public Optional<String> floatingAddressOf(String agent) {
        return floatingIps.addressOf(agent);
    }

    /** Deletes a server of the ledger and watches it until Nova has dropped it. */
    public void release(String name, String reason) {
        reaper.release(name, reason, false);
    }

    /**
     * Deletes the server of an agent, which the ledger may not know (an agent saved before a restart, whose server
     * the rebuild did not find): adopted first, with its flavor's resources, so that it counts until gone, and
     * watched until then in the background.
     */
    public void release(String name, String template, String serverId, String flavor, String reason) {
        reconciler.know(name, template, serverId, flavor);
        reaper.release(name, reason, false);
    }

    /**
     * Waits until Nova has dropped a server being deleted; false if it was still there after {@code max}, or once
     * {@code abandoned} says so (without another request).
     */
    public boolean awaitGone(String name, Duration max, BooleanSupplier abandoned) throws InterruptedException {
        return reaper.awaitGone(name, max, abandoned);
    }

    /** Whether the periodic cleanup of this cloud is due (and, if so, records that it runs now). */
    public boolean cleanupDue(Duration interval) {
        return janitor.due(interval);
    }

    /** Rebuilds the ledger from Nova: every server of this controller and cloud, with its flavor's resources. */
    public void reconcile() throws ComputeException {
        reconciler.reconcile();
    }

    /** The last deletions asked for, newest first. */
    public List<Removal> removals() {
        return reaper.removals();
    }

    /** Whether requests to the cloud are paused now, and why; null when they are not. */
    public String pauseReason() {
        String calls = gate.pauseReason();
        return calls != null ? calls : quota.pauseReason();
    }
}
