package io.jenkins.plugins.openstackagents.pool;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.jenkins.plugins.openstackagents.nova.Compute;
import io.jenkins.plugins.openstackagents.nova.ComputeException;
import io.jenkins.plugins.openstackagents.nova.ComputeFactory;
import io.jenkins.plugins.openstackagents.nova.ConnectionSettings;
import io.jenkins.plugins.openstackagents.nova.Flavor;
import io.jenkins.plugins.openstackagents.nova.FloatingIp;
import io.jenkins.plugins.openstackagents.nova.Image;
import io.jenkins.plugins.openstackagents.nova.Limits;
import io.jenkins.plugins.openstackagents.nova.Network;
import io.jenkins.plugins.openstackagents.nova.NeutronQuota;
import io.jenkins.plugins.openstackagents.nova.Port;
import io.jenkins.plugins.openstackagents.nova.Server;
import io.jenkins.plugins.openstackagents.nova.ServerRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The one gate every call to a cloud goes through: a shared rate limit, and a pause after a transient failure
 * (5xx, timeout, unreachable, 429) that grows exponentially with jitter and honours Retry-After. While paused, no
 * request leaves; the caller gets a TRANSIENT error at once. An outage is logged once when it starts (WARNING)
 * and once when it ends (INFO). The lock guards the pause's bookkeeping only, never a request in flight.
 */
public final class GatedCompute implements Compute {

    private static final Logger LOGGER = Logger.getLogger(GatedCompute.class.getName());

    /** After failures, one request per pause: from 2 s, doubling (with jitter) up to once a minute. */
    static final Duration MAX_CALL_PAUSE = Duration.ofMinutes(1);

    private final String cloudName;
    private final ComputeFactory factory;
    private final Clock clock;
    private final ApiStats stats;
    private final Backoff pause = new Backoff(Duration.ofSeconds(2), MAX_CALL_PAUSE); // guarded by this
    private final FailingCalls failing = new FailingCalls(); // guarded by this
    private Compute compute; // guarded by this
    private ConnectionSettings settings; // guarded by this
    private volatile RateLimiter rateLimiter;

    public GatedCompute(String cloudName, ComputeFactory factory, Clock clock, ApiStats stats) {
        this.cloudName = cloudName;
        this.factory = factory;
        this.clock = clock;
        this.stats = stats;
    }

    /** Connects with these settings unless already connected with equal ones; returns whether it reconnected. */
    public synchronized boolean connect(ConnectionSettings s) {
        if (s.equals(settings)) {
            return false;
        }
        compute = factory.connect(s);
        settings = s;
        return true;
    }

    /** Whether it is connected with exactly these settings. */
    public synchronized boolean isConnectedWith(ConnectionSettings s) {
        return s.equals(settings);
    }

    /**
     * The most requests per second this cloud receives through this gate, all operations together: one permit
     * every 1/n s rather than n each second, so that requests held back (by a pause, say) leave at that pace instead
     * of n at the end of one second and n more at the start of the next.
     */
    public void setRequestsPerSecond(int n) {
        Duration period = Duration.ofNanos(1_000_000_000L / Math.max(1, n));
        RateLimiter current = rateLimiter;
        if (current != null && current.getRateLimiterConfig().getLimitRefreshPeriod().equals(period)) {
            return;
        }
        rateLimiter = RateLimiter.of(cloudName, RateLimiterConfig.custom()
                .limitForPeriod(1)
                .limitRefreshPeriod(period)
                .timeoutDuration(Duration.ofSeconds(30))
                .build());
    }

    /** Whether no request leaves now. */
    public synchronized boolean isPaused(Instant now) {
        return pause.isPaused(now);
    }

    /** When the current pause ends, or null when requests are not paused. */
    public synchronized Instant pausedUntil() {
        return pause.isPaused(clock.instant()) ? pause.until() : null;
    }

    /** Why requests are paused now, or null. */
    public synchronized String pauseReason() {
        return pause.isPaused(clock.instant())
                ? "calls paused until " + pause.until() + " after: " + pause.reason() : null;
    }

    private synchronized Compute raw() {
        if (compute == null) {
            throw new IllegalStateException("cloud " + cloudName + " is not connected");
        }
        return compute;
    }

    /** One call through the gate. */
    @FunctionalInterface
    private interface Call<T> {
        T run(Compute c) throws ComputeException;
    }

    private <T> T call(String op, Call<T> call) throws ComputeException {
        synchronized (this) {
            if (pause.isPaused(clock.instant())) {
                throw new ComputeException(ComputeException.Kind.TRANSIENT, "Requests to cloud " + cloudName
                        + " are paused until " + pause.until() + " after: " + pause.reason());
            }
        }
        if (!rateLimiter.acquirePermission()) {
            throw new ComputeException(ComputeException.Kind.TRANSIENT,
                    "Too many requests queued for cloud " + cloudName + " (rate limit)");
        }
        try {
            T r = call.run(raw());
            stats.record(op, "ok");
            int failures;
            synchronized (this) {
                pause.succeeded();
                failures = failing.recovered(op, clock.instant());
            }
            if (failures > 0) {
                LOGGER.info(() -> "Cloud " + cloudName + " answers again (after " + failures + " failed calls)");
            }
            return r;
        } catch (ComputeException e) {
            stats.record(op, e.getKind().name());
            if (e.is(ComputeException.Kind.TRANSIENT) || e.is(ComputeException.Kind.RATE_LIMITED)) {
                failed(op, e);
            }
            throw e;
        }
    }

    private void failed(String op, ComputeException e) {
        Duration d;
        boolean first;
        int failures;
        synchronized (this) {
            d = pause.failed(clock.instant(), e.getRetryAfter().orElse(null), e.getMessage());
            first = failing.failed(op, clock.instant());
            failures = failing.failures();
        }
        if (first) {
            LOGGER.warning(() -> "Cloud " + cloudName + ": " + e.getMessage() + "; pausing requests for "
                    + d.toSeconds() + " s");
        } else {
            LOGGER.fine(() -> "Cloud " + cloudName + " still failing (" + failures + "): " + e.getMessage()
                    + "; pausing requests for " + d.toSeconds() + " s");
        }
    }

    @Override
    public Server create(ServerRequest request) throws ComputeException {
        return call("create", c -> c.create(request));
    }

    @Override
    public Optional<Server> find(String serverId) throws ComputeException {
        return call("get", c -> c.find(serverId));
    }

    @Override
    public List<Server> list(Map<String, String> metadata) throws ComputeException {
        return call("list", c -> c.list(metadata));
    }

    @Override
    public boolean delete(String serverId) throws ComputeException {
        return call("delete", c -> c.delete(serverId));
    }

    @Override
    public Limits limits() throws ComputeException {
        return call("limits", Compute::limits);
    }

    @Override
    public List<Flavor> flavors() throws ComputeException {
        return call("flavors", Compute::flavors);
    }

    @Override
    public List<Image> images() throws ComputeException {
        return call("images", Compute::images);
    }

    @Override
    public List<Network> networks() throws ComputeException {
        return call("networks", Compute::networks);
    }

    @Override
    public List<Network> externalNetworks() throws ComputeException {
        return call("external-networks", Compute::externalNetworks);
    }

    @Override
    public List<io.jenkins.plugins.openstackagents.nova.SecurityGroup> securityGroups() throws ComputeException {
        return call("security-groups", Compute::securityGroups);
    }

    @Override
    public List<Port> ports(String serverId) throws ComputeException {
        return call("ports", c -> c.ports(serverId));
    }

    @Override
    public List<FloatingIp> floatingIps(String descriptionPrefix) throws ComputeException {
        return call("floating-ips", c -> c.floatingIps(descriptionPrefix));
    }

    @Override
    public FloatingIp allocateFloatingIp(String networkId, String description) throws ComputeException {
        return call("allocate-floating-ip", c -> c.allocateFloatingIp(networkId, description));
    }

    @Override
    public FloatingIp associateFloatingIp(String floatingIpId, String portId) throws ComputeException {
        return call("associate-floating-ip", c -> c.associateFloatingIp(floatingIpId, portId));
    }

    @Override
    public boolean releaseFloatingIp(String floatingIpId) throws ComputeException {
        return call("release-floating-ip", c -> c.releaseFloatingIp(floatingIpId));
    }

    @Override
    public NeutronQuota neutronQuota() throws ComputeException {
        return call("network-quota", Compute::neutronQuota);
    }
}
