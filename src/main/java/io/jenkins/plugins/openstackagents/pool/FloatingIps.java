package io.jenkins.plugins.openstackagents.pool;

import io.jenkins.plugins.openstackagents.nova.ComputeException;
import io.jenkins.plugins.openstackagents.nova.FloatingIp;
import io.jenkins.plugins.openstackagents.nova.NeutronQuota;
import io.jenkins.plugins.openstackagents.nova.Port;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The floating IPs of one cloud's agents. A launch gets one for its server ({@link #attach}): allocated on the
 * template's pool with this controller's and cloud's identity in its description ({@link Ownership#toDescription}),
 * then associated with the server's port on its first network. It is released when the server is deleted
 * ({@link #release}). One left behind (a crash between allocation and release, a release that failed, a server
 * deleted by hand) is released by the cleanup once two of its passes saw it so ({@link #sweep}). Only floating IPs
 * whose description starts with this controller's and cloud's prefix are ever listed, so another Jenkins' or a
 * person's are never touched. The planner asks {@link #headroom} how many more fit in Neutron's quota.
 *
 * <p>No lock is held across a request to the cloud; this class never calls the ledger while holding its own lock
 * (the planner calls {@link #headroom} holding the ledger's).
 */
public final class FloatingIps {

    private static final Logger LOGGER = Logger.getLogger(FloatingIps.class.getName());

    /**
     * The cleanup lists the floating IPs at most this often (its passes run every 10 s), and at its next pass after a
     * look that found a leak, to confirm it.
     */
    static final Duration SWEEP_INTERVAL = Duration.ofMinutes(1);

    /** How long the releases are remembered for {@link #headroom}: longer than any limits interval. */
    static final Duration RELEASES_KEPT = Duration.ofMinutes(30);

    /** The floating IP of an agent, and when it was allocated ({@link Instant#MIN}: before this runtime). */
    private record Held(String id, String address, Instant allocatedAt) {
    }

    private record Released(Instant allocatedAt, Instant releasedAt) {
    }

    private final String cloudName;
    private final String controllerId;
    private final Clock clock;
    private final Sleeper sleeper;
    private final GatedCompute gate;
    private final Ledger ledger;
    private final Map<String, Held> held = new HashMap<>(); // guarded by this: by agent name
    private final Set<String> pending = new HashSet<>(); // guarded by this: reserved with a pool, none allocated yet
    private final Deque<Released> released = new ArrayDeque<>(); // guarded by this, oldest first
    private Set<String> suspects = Set.of(); // guarded by this: floating IP ids seen leaked by the previous sweep
    private boolean foundSome = true; // guarded by this: the last sweep saw floating IPs of ours (or none ran)
    private Instant lastSweep; // guarded by this: when the floating IPs were last listed
    private volatile boolean wanted;
    /**
     * Allocations go to Neutron one at a time, the only requests of the plugin that wait for one another: Neutron
     * counts a floating IP twice for a moment (the allocation and its quota reservation) while it commits it, so of
     * two allocations sent together for the last two free floating IPs, it refuses one (409 OverQuota, seen on the
     * rig with a quota of 2). One allocation takes a fraction of a second; nothing else waits for them.
     */
    private final java.util.concurrent.Semaphore oneAtATime = new java.util.concurrent.Semaphore(1, true);

    FloatingIps(String cloudName, String controllerId, Clock clock, Sleeper sleeper, GatedCompute gate,
                Ledger ledger) {
        this.cloudName = cloudName;
        this.controllerId = controllerId;
        this.clock = clock;
        this.sleeper = sleeper;
        this.gate = gate;
        this.ledger = ledger;
    }

    /** Whether a template of the cloud allocates floating IPs: the cleanup looks for leaked ones then. */
    void setWanted(boolean wanted) {
        this.wanted = wanted;
    }

    boolean isWanted() {
        return wanted;
    }

    /** Reserved for a template with a floating IP pool: counts against Neutron's quota until it has one. */
    synchronized void reserved(String agent) {
        pending.add(agent);
    }

    /**
     * How many more floating IPs fit in Neutron's quota: its limit, minus what it counted when {@code limits} was
     * read, minus those allocated since, plus those released since, minus the reservations that have none yet.
     * {@link Integer#MAX_VALUE} when Neutron's quota was not read or is unlimited.
     */
    int headroom(LimitsSnapshot limits) {
        NeutronQuota q = limits.neutron();
        if (q == null || q.floatingIps().limit() < 0) {
            return Integer.MAX_VALUE;
        }
        Instant readAt = limits.readAt();
        int since = 0;
        int freed = 0;
        Set<String> waiting;
        synchronized (this) {
            for (Held h : held.values()) {
                since += h.allocatedAt().isAfter(readAt) ? 1 : 0;
            }
            for (Released r : released) {
                freed += !r.allocatedAt().isAfter(readAt) && r.releasedAt().isAfter(readAt) ? 1 : 0;
            }
            waiting = Set.copyOf(pending);
        }
        int toCome = 0;
        for (String agent : waiting) {
            toCome += ledger.get(agent).map(e -> e.state() != Ledger.State.DELETING).orElse(false) ? 1 : 0;
        }
        return Math.max(0, q.floatingIps().limit() - q.floatingIps().used() - since + freed - toCome);
    }

    /**
     * Allocates a floating IP on {@code poolId} for the server of {@code owner}'s agent and associates it with the
     * server's port on {@code networkId} (its first port when null), waiting up to {@code max} for that port.
     * On a failure the floating IP is released again and the failure thrown; Neutron's quota refusal (409
     * OverQuota) is thrown as {@link ComputeException.Kind#QUOTA_EXCEEDED}.
     */
    FloatingIp attach(Ownership owner, String serverId, String poolId, String networkId, Duration max)
            throws ComputeException, InterruptedException {
        String agent = owner.agent();
        FloatingIp f;
        if (!oneAtATime.tryAcquire(max.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            throw new ComputeException(ComputeException.Kind.TRANSIENT, "No floating IP for server " + agent
                    + " within " + max.toSeconds() + " s: the allocations before it took that long");
        }
        try {
            f = gate.allocateFloatingIp(poolId, owner.toDescription());
        } catch (ComputeException e) {
            synchronized (this) {
                pending.remove(agent);
            }
            throw e;
        } finally {
            oneAtATime.release();
        }
        synchronized (this) {
            pending.remove(agent);
            held.put(agent, new Held(f.id(), f.address(), clock.instant()));
        }
        try {
            Port port = awaitPort(serverId, networkId, max);
            FloatingIp associated = gate.associateFloatingIp(f.id(), port.id());
            LOGGER.info(() -> "Floating IP " + f.address() + " of cloud " + cloudName + " associated with server "
                    + agent + " (port " + port.id() + " on network " + port.networkId() + ")");
            return associated;
        } catch (ComputeException | InterruptedException | RuntimeException e) {
            release(agent);
            throw e;
        }
    }

    /** The server's port on the network (any port when null), once Nova has bound one; asked with growing pauses. */
    private Port awaitPort(String serverId, String networkId, Duration max)
            throws ComputeException, InterruptedException {
        Instant deadline = clock.instant().plus(max);
        Duration pause = Poll.FIRST;
        while (true) {
            List<Port> ports = gate.ports(serverId);
            for (Port p : ports) {
                if (networkId == null || networkId.equals(p.networkId())) {
                    return p;
                }
            }
            if (!clock.instant().isBefore(deadline)) {
                throw new ComputeException(ComputeException.Kind.NOT_FOUND, "Server " + serverId + " has no port on"
                        + " network " + networkId + " to associate a floating IP with (ports: " + ports.size() + ")");
            }
            sleeper.sleep(pause);
            pause = Poll.next(pause);
        }
    }

    /**
     * Releases the floating IP of an agent whose server is deleted, if it has one; a failure is logged, and the
     * cleanup's sweep releases it later.
     */
    void release(String agent) {
        Held h;
        synchronized (this) {
            pending.remove(agent);
            h = held.remove(agent);
        }
        if (h == null) {
            return;
        }
        try {
            gate.releaseFloatingIp(h.id());
            released(h.allocatedAt());
            LOGGER.info(() -> "Released floating IP " + h.address() + " of server " + agent + " of cloud " + cloudName);
        } catch (ComputeException e) {
            LOGGER.info(() -> "Could not release floating IP " + h.address() + " of server " + agent + " of cloud "
                    + cloudName + " yet: " + e.getMessage() + "; the cleanup releases it");
        }
    }

    private synchronized void released(Instant allocatedAt) {
        Instant now = clock.instant();
        released.addLast(new Released(allocatedAt, now));
        while (!released.isEmpty() && released.peekFirst().releasedAt().isBefore(now.minus(RELEASES_KEPT))) {
            released.removeFirst();
        }
    }

    /** The address of an agent's floating IP, if it has one. */
    public synchronized Optional<String> addressOf(String agent) {
        return Optional.ofNullable(held.get(agent)).map(Held::address);
    }

    /**
     * One look at this cloud's floating IPs (one request), when a template allocates them or the previous look found
     * some, at most once per {@link #SWEEP_INTERVAL} unless the previous look found a leak: one whose agent has no server (none in the ledger, or its delete is under way), or that is associated
     * with no port while no launch is attaching it, is released once two looks in a row saw it so. Another
     * controller's, cloud's or person's floating IP is not in the list.
     *
     * @param launching the agents whose launch runs now
     */
    void sweep(Set<String> launching) {
        synchronized (this) {
            Instant now = clock.instant();
            boolean due = lastSweep == null || !now.isBefore(lastSweep.plus(SWEEP_INTERVAL)) || !suspects.isEmpty();
            if (!due || (!wanted && !foundSome && held.isEmpty())) {
                return;
            }
            lastSweep = now;
        }
        List<FloatingIp> ours;
        try {
            ours = gate.floatingIps(Ownership.descriptionPrefix(controllerId, cloudName));
        } catch (ComputeException e) {
            LOGGER.fine(() -> "Floating IP cleanup of cloud " + cloudName + " skipped: " + e.getMessage());
            return;
        }
        Set<String> leaked = new HashSet<>();
        Map<String, FloatingIp> kept = new HashMap<>();
        for (FloatingIp f : ours) {
            Optional<Ownership> o = Ownership.ofDescription(f.description());
            if (o.isEmpty() || !o.get().controller().equals(controllerId) || !o.get().cloud().equals(cloudName)) {
                continue; // the prefix selects; this double-checks it
            }
            String agent = o.get().agent();
            boolean hasServer = ledger.get(agent).map(e -> e.state() != Ledger.State.DELETING).orElse(false);
            if (hasServer && (f.portId() != null || launching.contains(agent))) {
                kept.put(agent, f);
            } else {
                leaked.add(f.id());
            }
        }
        Set<String> release = new HashSet<>();
        synchronized (this) {
            foundSome = !ours.isEmpty();
            for (String id : leaked) {
                if (suspects.contains(id)) {
                    release.add(id);
                }
            }
            leaked.removeAll(release);
            suspects = leaked;
            // after a restart: the floating IPs of the agents that kept their server, so that their delete releases them
            kept.forEach((agent, f) -> held.putIfAbsent(agent, new Held(f.id(), f.address(), Instant.MIN)));
        }
        for (FloatingIp f : ours) {
            if (release.contains(f.id())) {
                releaseLeaked(f);
            }
        }
    }

    private void releaseLeaked(FloatingIp f) {
        try {
            if (gate.releaseFloatingIp(f.id())) {
                released(Instant.MIN);
                LOGGER.info(() -> "Released leaked floating IP " + f.address() + " (" + f.id() + ") of cloud "
                        + cloudName + ": its server is gone (seen on two cleanup passes)");
            }
        } catch (ComputeException e) {
            LOGGER.fine(() -> "Release of leaked floating IP " + f.address() + " failed: " + e.getMessage());
        }
    }
}
