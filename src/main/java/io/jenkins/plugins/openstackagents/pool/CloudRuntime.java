package io.jenkins.plugins.openstackagents.pool;

import io.jenkins.plugins.openstackagents.nova.Compute;
import io.jenkins.plugins.openstackagents.nova.ComputeException;
import io.jenkins.plugins.openstackagents.nova.ComputeFactory;
import io.jenkins.plugins.openstackagents.nova.ConnectionSettings;
import io.jenkins.plugins.openstackagents.nova.Flavor;
import io.jenkins.plugins.openstackagents.nova.Server;
import io.jenkins.plugins.openstackagents.nova.ServerRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The provisioning state of one cloud that outlives its configuration bean: the ledger, the last limits read,
 * the connection. Plain Java; the Jenkins classes call it and nothing else.
 */
public final class CloudRuntime {

    private static final Logger LOGGER = Logger.getLogger(CloudRuntime.class.getName());

    /** The first and the longest pause between two polls of a booting server. */
    static final Duration FIRST_POLL = Duration.ofMillis(500);
    static final Duration MAX_POLL = Duration.ofSeconds(15);

    private final String cloudName;
    private final Ledger ledger = new Ledger();
    private final Planner planner = new Planner(ledger);
    private final Clock clock;
    private final Sleeper sleeper;
    private final ComputeFactory factory;
    private Compute compute; // guarded by this
    private ConnectionSettings settings; // guarded by this
    private volatile Duration limitsInterval = Duration.ofSeconds(60);
    private LimitsSnapshot limits; // guarded by this
    private Map<String, Flavor> flavors = Map.of(); // guarded by this
    private Instant flavorsReadAt; // guarded by this
    private boolean quotaExhausted; // guarded by this

    public CloudRuntime(String cloudName, ComputeFactory factory, Clock clock, Sleeper sleeper) {
        this.cloudName = cloudName;
        this.factory = factory;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    public String cloudName() {
        return cloudName;
    }

    public Ledger ledger() {
        return ledger;
    }

    /** The connection; {@link #connect} must have been called. */
    public synchronized Compute compute() {
        if (compute == null) {
            throw new IllegalStateException("cloud " + cloudName + " is not connected");
        }
        return compute;
    }

    /** Connects with these settings, unless already connected with equal ones; the ledger is kept. */
    public synchronized void connect(ConnectionSettings s) {
        if (!s.equals(settings)) {
            compute = factory.connect(s);
            settings = s;
            limits = null;
            flavorsReadAt = null;
        }
    }

    public void setLimitsInterval(Duration d) {
        this.limitsInterval = d;
    }

    /** Nova's limits, read at most once per interval (and at once after a quota error). */
    public synchronized LimitsSnapshot limits() throws ComputeException {
        Instant now = clock.instant();
        if (limits == null || !now.isBefore(limits.readAt().plus(limitsInterval))) {
            limits = new LimitsSnapshot(compute().limits(), now);
        }
        return limits;
    }

    /** The flavor with this id (or name), from a list read at most once per limits interval. */
    public synchronized Flavor flavor(String idOrName) throws ComputeException {
        Instant now = clock.instant();
        if (flavorsReadAt == null || !now.isBefore(flavorsReadAt.plus(limitsInterval))) {
            Map<String, Flavor> m = new HashMap<>();
            for (Flavor f : compute().flavors()) {
                m.put(f.name(), f);
                m.put(f.id(), f);
            }
            flavors = m;
            flavorsReadAt = now;
        }
        Flavor f = flavors.get(idOrName);
        if (f == null) {
            throw new ComputeException(ComputeException.Kind.PERMANENT,
                    "Cloud " + cloudName + " has no flavor '" + idOrName + "'");
        }
        return f;
    }

    private synchronized void forgetLimits() {
        limits = null;
    }

    /**
     * Reserves as many servers of a template as fit now (possibly none). Logs once when the quota runs out and
     * once when it is available again.
     */
    public Planner.Plan plan(Planner.Request request, int cloudCap, Supplier<String> names) throws ComputeException {
        Planner.Plan plan = planner.reserve(request, cloudCap, limits(), names, clock.instant());
        noteQuota(plan.bound() == Planner.Bound.QUOTA && plan.isEmpty(), plan.headroom());
        return plan;
    }

    private synchronized void noteQuota(boolean exhausted, Quota headroom) {
        if (exhausted && !quotaExhausted) {
            LOGGER.info(() -> "Quota exhausted for cloud " + cloudName + " (" + usage() + "), waiting");
        } else if (!exhausted && quotaExhausted) {
            LOGGER.info(() -> "Quota available again for cloud " + cloudName + " (free: " + headroom + ")");
        }
        quotaExhausted = exhausted;
    }

    private String usage() {
        if (limits == null) {
            return "limits unknown";
        }
        var l = limits.limits();
        return "used " + l.usedInstances() + "/" + l.maxInstances() + " instances, " + l.usedCores() + "/"
                + l.maxCores() + " cores, " + l.usedRamMb() + "/" + l.maxRamMb() + " MB RAM";
    }

    /** Gives back a reservation that was never sent to Nova. */
    public void cancel(String name) {
        ledger.gone(name, clock.instant());
    }

    /**
     * Creates the reserved server and waits until it is ACTIVE, polling with a growing interval. On ERROR or
     * timeout the server is deleted (and stays in the ledger until Nova drops it) and the failure is thrown.
     */
    public Server launch(String name, ServerRequest request, Duration bootTimeout)
            throws ComputeException, InterruptedException {
        Server server;
        try {
            server = compute().create(request);
        } catch (ComputeException e) {
            ledger.gone(name, clock.instant());
            if (e.is(ComputeException.Kind.QUOTA_EXCEEDED)) {
                forgetLimits();
            }
            throw e;
        }
        ledger.accepted(name, server.id(), clock.instant());
        LOGGER.info(() -> "Requested server " + name + " (" + server.id() + ") in cloud " + cloudName);
        Instant deadline = clock.instant().plus(bootTimeout);
        Duration pause = FIRST_POLL;
        while (true) {
            Optional<Server> now;
            try {
                now = compute().find(server.id());
            } catch (ComputeException e) {
                if (!e.is(ComputeException.Kind.TRANSIENT) && !e.is(ComputeException.Kind.RATE_LIMITED)) {
                    release(name, "boot check failed: " + e.getMessage());
                    throw e;
                }
                LOGGER.fine(() -> "Polling " + name + ": " + e.getMessage());
                now = Optional.of(server);
            }
            if (now.isEmpty()) {
                ledger.gone(name, clock.instant());
                throw new ComputeException(ComputeException.Kind.NOT_FOUND,
                        "Server " + name + " vanished from Nova while booting");
            }
            Server s = now.get();
            if (s.status() == Server.Status.ACTIVE) {
                ledger.transition(name, Ledger.State.RUNNING, clock.instant(), null);
                return s;
            }
            if (s.status() == Server.Status.ERROR) {
                Server.Fault f = s.fault();
                boolean quota = f != null && f.isQuotaExceeded();
                String why = "server went to ERROR" + (f == null ? "" : " (fault " + f.code() + ": " + f.message() + ")");
                ledger.transition(name, Ledger.State.ERROR, clock.instant(), why);
                if (quota) {
                    forgetLimits();
                }
                release(name, why);
                throw new ComputeException(quota ? ComputeException.Kind.QUOTA_EXCEEDED
                        : ComputeException.Kind.PERMANENT, "Server " + name + " " + why);
            }
            if (!clock.instant().isBefore(deadline)) {
                String why = "boot timeout " + bootTimeout.toSeconds() + " s exceeded in state " + s.status();
                release(name, why);
                throw new ComputeException(ComputeException.Kind.TRANSIENT, "Server " + name + ": " + why);
            }
            Duration left = Duration.between(clock.instant(), deadline);
            sleeper.sleep(pause.compareTo(left) < 0 ? pause : left);
            pause = pause.multipliedBy(2).compareTo(MAX_POLL) < 0 ? pause.multipliedBy(2) : MAX_POLL;
        }
    }

    /**
     * Asks Nova to delete a server of the ledger. It keeps counting against quota until {@link #confirmDeletions}
     * sees Nova answer 404; a failed request is retried there.
     */
    public void release(String name, String reason) {
        Optional<Ledger.Entry> e = ledger.get(name);
        if (e.isEmpty()) {
            return;
        }
        ledger.transition(name, Ledger.State.DELETING, clock.instant(), reason);
        String id = e.get().serverId();
        if (id == null) {
            ledger.gone(name, clock.instant());
            return;
        }
        try {
            if (compute().delete(id)) {
                ledger.deleteAccepted(name);
            } else {
                ledger.gone(name, clock.instant());
            }
            LOGGER.info(() -> "Deleting server " + name + " (" + id + ") of cloud " + cloudName + ": " + reason);
        } catch (ComputeException ex) {
            LOGGER.warning(() -> "Could not delete server " + name + " (" + id + ") of cloud " + cloudName + ": "
                    + ex.getMessage() + "; will retry");
        }
    }

    /**
     * Deletes a server the ledger may not know (an agent saved before a restart), and tracks it until it is gone.
     */
    public void release(String name, String template, String serverId, String reason) {
        ledger.adopt(name, template, new Quota(1, 0, 0), serverId, Ledger.State.RUNNING,
                clock.instant());
        release(name, reason);
    }

    /**
     * Checks every deleting server once: forgets it when Nova says 404, and asks again when the earlier delete
     * request failed.
     */
    public void confirmDeletions() {
        List<Ledger.Entry> deleting = ledger.entries(e -> e.state() == Ledger.State.DELETING);
        for (Ledger.Entry e : deleting) {
            try {
                Optional<Server> s = compute().find(e.serverId());
                if (s.isEmpty() || s.get().status() == Server.Status.DELETED) {
                    ledger.gone(e.name(), clock.instant());
                    LOGGER.fine(() -> "Server " + e.name() + " is gone from cloud " + cloudName);
                } else if (!e.deleteAccepted()) {
                    if (compute().delete(e.serverId())) {
                        ledger.deleteAccepted(e.name());
                    } else {
                        ledger.gone(e.name(), clock.instant());
                    }
                }
            } catch (ComputeException ex) {
                LOGGER.log(Level.FINE, "Deletion check of {0} failed: {1}", new Object[] {e.name(), ex.getMessage()});
            }
        }
    }
}
