package io.jenkins.plugins.openstackagents.pool;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.jenkins.plugins.openstackagents.nova.Compute;
import io.jenkins.plugins.openstackagents.nova.ComputeException;
import io.jenkins.plugins.openstackagents.nova.ComputeFactory;
import io.jenkins.plugins.openstackagents.nova.ConnectionSettings;
import io.jenkins.plugins.openstackagents.nova.Flavor;
import io.jenkins.plugins.openstackagents.nova.Image;
import io.jenkins.plugins.openstackagents.nova.Limits;
import io.jenkins.plugins.openstackagents.nova.Network;
import io.jenkins.plugins.openstackagents.nova.Server;
import io.jenkins.plugins.openstackagents.nova.ServerRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The provisioning state of one cloud that outlives its configuration bean: the ledger, the last limits read,
 * the pauses after failures, the connection. Plain Java; the Jenkins classes call it and nothing else.
 *
 * <p>Every call to the cloud goes through one gate: a shared rate limit, and a pause after a transient failure
 * (5xx, timeout, unreachable, 429) that grows exponentially with jitter and honours Retry-After. While paused, no
 * request leaves; the caller gets a TRANSIENT error at once. Creates have a second pause, after Nova refused one
 * for quota (403, or the late 413): no create is sent before it ends, and then only if the limits, read again,
 * show room.
 */
public final class CloudRuntime {

    private static final Logger LOGGER = Logger.getLogger(CloudRuntime.class.getName());

    /**
     * The first and the longest pause between two looks at a booting or vanishing server. Nova's fake driver
     * and small clouds boot in 1-3 s and drop a deleted server in 1-2 s: a first look after 2 s usually finds the
     * change, and the pause then doubles.
     */
    static final Duration FIRST_POLL = Duration.ofSeconds(2);
    static final Duration MAX_POLL = Duration.ofSeconds(15);
    /** The cleanup may decide from a list of the cloud's servers this old, asked for by a boot or delete watch. */
    static final Duration LISTING_REUSE = Duration.ofSeconds(30);

    public static final Duration DEFAULT_LIMITS_INTERVAL = Duration.ofSeconds(60);
    public static final int DEFAULT_REQUESTS_PER_SECOND = 5;
    /** Flavors rarely change: read again at most this often. */
    static final Duration FLAVORS_INTERVAL = Duration.ofMinutes(10);

    private final String cloudName;
    private final String controllerId;
    private final Ledger ledger = new Ledger();
    private final Planner planner = new Planner(ledger);
    private final ApiStats stats = new ApiStats();
    private final Clock clock;
    private final Sleeper sleeper;
    private final ComputeFactory factory;
    private final Compute gate = new Gate();
    private final Janitor janitor = new Janitor(this);
    /** After failures, one request per pause: from 2 s, doubling (with jitter) up to once a minute. */
    static final Duration MAX_CALL_PAUSE = Duration.ofMinutes(1);
    private final Backoff callPause = new Backoff(Duration.ofSeconds(2), MAX_CALL_PAUSE); // guarded by this
    private final FailingCalls failing = new FailingCalls(); // guarded by this
    private final Backoff quotaPause = new Backoff(Duration.ofSeconds(20), Duration.ofMinutes(10)); // guarded by this
    private Compute compute; // guarded by this
    private ConnectionSettings settings; // guarded by this
    private volatile RateLimiter rateLimiter;
    private volatile Duration limitsInterval = DEFAULT_LIMITS_INTERVAL;
    private LimitsSnapshot limits; // guarded by this
    private Map<String, Flavor> flavors = Map.of(); // guarded by this
    private Instant flavorsReadAt; // guarded by this
    private boolean quotaExhausted; // guarded by this
    private boolean atCloudCap; // guarded by this
    private boolean reconciled; // guarded by this
    private Instant lastCleanup; // guarded by this
    private Listing listing; // guarded by this
    private final java.util.Deque<Removal> removals = new java.util.ArrayDeque<>(); // guarded by itself
    static final int REMOVALS_KEPT = 20;

    /**
     * This cloud's servers as one list request found them, and when that request was sent: everything Nova did
     * before {@code askedAt} is in it.
     */
    public record Listing(Instant askedAt, Map<String, Server> byId) {

        /** Whether the server was not on Nova when the list was asked for. */
        public boolean lacks(String serverId) {
            Server s = byId.get(serverId);
            return s == null || s.status() == Server.Status.DELETED;
        }
    }

    /** A server the plugin asked Nova to delete, and why. */
    public record Removal(String name, String serverId, String reason, Instant at) {
    }

    public CloudRuntime(String cloudName, String controllerId, ComputeFactory factory, Clock clock, Sleeper sleeper) {
        this.cloudName = cloudName;
        this.controllerId = controllerId;
        this.factory = factory;
        this.clock = clock;
        this.sleeper = sleeper;
        setRequestsPerSecond(DEFAULT_REQUESTS_PER_SECOND);
    }

    public String cloudName() {
        return cloudName;
    }

    public String controllerId() {
        return controllerId;
    }

    /** The cloud side of the periodic cleanup. */
    public Janitor janitor() {
        return janitor;
    }

    Instant now() {
        return clock.instant();
    }

    public Ledger ledger() {
        return ledger;
    }

    public ApiStats stats() {
        return stats;
    }

    /** The cloud, behind the rate limit and the pause; {@link #connect} must have been called. */
    public Compute compute() {
        return gate;
    }

    private synchronized Compute raw() {
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

    /** How often Nova's limits are read at most (they are read again at once after a quota error). */
    public void setLimitsInterval(Duration d) {
        this.limitsInterval = d;
    }

    /**
     * The most requests per second this cloud receives from this controller, all operations together: one permit
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

    /** Nova's limits, read at most once per interval (and at once after a quota error). */
    public synchronized LimitsSnapshot limits() throws ComputeException {
        Instant now = clock.instant();
        if (limits == null || !now.isBefore(limits.readAt().plus(limitsInterval))) {
            limits = new LimitsSnapshot(gate.limits(), now);
        }
        return limits;
    }

    /** The flavor with this id (or name), from a list read at most once per {@link #FLAVORS_INTERVAL}. */
    public synchronized Flavor flavor(String idOrName) throws ComputeException {
        Instant now = clock.instant();
        if (flavorsReadAt == null || !now.isBefore(flavorsReadAt.plus(FLAVORS_INTERVAL))) {
            Map<String, Flavor> m = new HashMap<>();
            for (Flavor f : gate.flavors()) {
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
     * Reserves as many servers of a template as fit now, possibly none. Reserves nothing and asks Nova nothing
     * while requests or creates are paused. Logs once when the quota runs out and once when it is available again.
     */
    public Planner.Plan plan(Planner.Request request, int cloudCap, Supplier<String> names) throws ComputeException {
        reconcileOnce();
        synchronized (this) {
            // while requests are paused, a reservation could only end in a create refused here: none is made
            Instant now = clock.instant();
            if (quotaPause.isPaused(now) || callPause.isPaused(now)) {
                return Planner.Plan.paused();
            }
        }
        Planner.Plan plan = planner.reserve(request, cloudCap, limits(), names, clock.instant());
        // exhausted while the quota keeps demand from being met; available once a plan is no longer bound by it
        if (plan.bound() == Planner.Bound.QUOTA) {
            quotaExhausted(null);
        } else {
            quotaAvailable(plan.headroom());
        }
        atCloudCap(plan.bound() == Planner.Bound.CLOUD_CAP, cloudCap);
        return plan;
    }

    /** Logs once when the cloud's own instance cap starts keeping demand waiting, and once when it no longer does. */
    private synchronized void atCloudCap(boolean at, int cap) {
        if (at != atCloudCap) {
            atCloudCap = at;
            LOGGER.info(() -> at ? "Cloud " + cloudName + " is at its instance cap of " + cap + " servers, waiting"
                    : "Cloud " + cloudName + " is below its instance cap again");
        }
    }

    private synchronized void quotaExhausted(String refusal) {
        if (!quotaExhausted) {
            quotaExhausted = true;
            String what = refusal != null ? "Nova refused a server: " + refusal
                    : usage() + "; this controller has " + ledger.count(e -> true) + " server(s)";
            LOGGER.info(() -> "Quota exhausted for cloud " + cloudName + " (" + what + "), waiting");
        }
    }

    private synchronized void quotaAvailable(Quota headroom) {
        if (quotaExhausted) {
            quotaExhausted = false;
            LOGGER.info(() -> "Quota available again for cloud " + cloudName + " (free: " + headroom + ")");
        }
    }

    private String usage() {
        if (limits == null) {
            return "limits unknown";
        }
        Limits l = limits.limits();
        return "used " + l.usedInstances() + "/" + l.maxInstances() + " instances, " + l.usedCores() + "/"
                + l.maxCores() + " cores, " + l.usedRamMb() + "/" + l.maxRamMb() + " MB RAM";
    }

    /** Nova refused a server for quota: re-read the limits before the next plan, and pause creates. */
    private void quotaRefused(String message) {
        Duration d;
        synchronized (this) {
            limits = null;
            d = quotaPause.failed(clock.instant(), null, message);
        }
        quotaExhausted(message);
        LOGGER.fine(() -> "Cloud " + cloudName + ": no create for " + d.toSeconds() + " s");
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
        return awaitActive(name, create(name, request), bootTimeout);
    }

    /** Sends the create request of a reserved server; Nova answered 202 when this returns. */
    public Server create(String name, ServerRequest request) throws ComputeException {
        Server server;
        try {
            server = gate.create(request);
        } catch (ComputeException e) {
            ledger.gone(name, clock.instant());
            if (e.is(ComputeException.Kind.QUOTA_EXCEEDED)) {
                quotaRefused(e.getMessage());
            }
            throw e;
        }
        ledger.accepted(name, server.id(), clock.instant());
        LOGGER.info(() -> "Requested server " + name + " (" + server.id() + ") in cloud " + cloudName);
        return server;
    }

    /**
     * Watches a created server until it is ACTIVE: looks after {@link #FIRST_POLL}, then after pauses that double
     * up to {@link #MAX_POLL}, each look one list shared with every other watch ({@link #servers}). On ERROR or
     * timeout the server is deleted (and stays in the ledger until Nova drops it) and the failure is thrown.
     */
    public Server awaitActive(String name, Server server, Duration bootTimeout)
            throws ComputeException, InterruptedException {
        return awaitActive(name, server, bootTimeout, () -> false);
    }

    /**
     * As {@link #awaitActive(String, Server, Duration)}, but ends without asking Nova again once
     * {@code agentConnected} says the server's agent has connected: it runs, so it is ACTIVE.
     */
    public Server awaitActive(String name, Server server, Duration bootTimeout, BooleanSupplier agentConnected)
            throws ComputeException, InterruptedException {
        Instant deadline = clock.instant().plus(bootTimeout);
        Duration pause = FIRST_POLL;
        while (true) {
            Duration left = Duration.between(clock.instant(), deadline);
            sleeper.sleep(left.isNegative() ? Duration.ZERO : pause.compareTo(left) < 0 ? pause : left);
            pause = pause.multipliedBy(2).compareTo(MAX_POLL) < 0 ? pause.multipliedBy(2) : MAX_POLL;
            if (agentConnected.getAsBoolean()) {
                return running(name, server);
            }
            Server s;
            try {
                s = servers(clock.instant()).byId().get(server.id());
            } catch (ComputeException e) {
                if (!e.is(ComputeException.Kind.TRANSIENT) && !e.is(ComputeException.Kind.RATE_LIMITED)) {
                    release(name, "boot check failed: " + e.getMessage());
                    throw e;
                }
                LOGGER.fine(() -> "Watching " + name + ": " + e.getMessage());
                s = server;
            }
            if (s == null || s.status() == Server.Status.DELETED) {
                ledger.gone(name, clock.instant());
                throw new ComputeException(ComputeException.Kind.NOT_FOUND,
                        "Server " + name + " vanished from Nova while booting");
            }
            if (s.status() == Server.Status.ACTIVE) {
                return running(name, s);
            }
            if (s.status() == Server.Status.ERROR) {
                Server.Fault f = s.fault();
                boolean quota = f != null && f.isQuotaExceeded();
                String why = "server went to ERROR" + (f == null ? "" : " (fault " + f.code() + ": " + f.message() + ")");
                ledger.transition(name, Ledger.State.ERROR, clock.instant(), why);
                stats.record("boot", quota ? "QUOTA_EXCEEDED" : "ERROR");
                if (quota) {
                    quotaRefused(f.message());
                }
                release(name, why);
                throw new ComputeException(quota ? ComputeException.Kind.QUOTA_EXCEEDED
                        : ComputeException.Kind.PERMANENT, "Server " + name + " " + why);
            }
            if (!clock.instant().isBefore(deadline)) {
                stats.record("boot", "TIMEOUT");
                String why = "boot timeout " + bootTimeout.toSeconds() + " s exceeded in state " + s.status();
                release(name, why);
                throw new ComputeException(ComputeException.Kind.TRANSIENT, "Server " + name + ": " + why);
            }
        }
    }

    private Server running(String name, Server s) {
        ledger.transition(name, Ledger.State.RUNNING, clock.instant(), null);
        stats.record("boot", "ACTIVE");
        synchronized (this) {
            quotaPause.succeeded();
        }
        return s;
    }

    /**
     * This cloud's servers (by ownership metadata), from a list request sent at or after {@code notBefore}: the
     * last one if it is recent enough, else a new one. Every watch of a booting or vanishing server and the
     * cleanup share it, so a dozen servers changing state cost one request, not a dozen. Nothing is held while
     * Nova answers; two callers may at worst both ask.
     */
    public Listing servers(Instant notBefore) throws ComputeException {
        synchronized (this) {
            if (listing != null && !listing.askedAt().isBefore(notBefore)) {
                return listing;
            }
        }
        Instant asked = clock.instant();
        Map<String, Server> byId = new LinkedHashMap<>();
        for (Server s : gate.list(Ownership.selector(controllerId, cloudName))) {
            byId.put(s.id(), s);
            Optional<Ownership> o = Ownership.of(s.metadata());
            if (o.isPresent() && ledger.get(o.get().agent()).map(e -> s.id().equals(e.serverId())).orElse(false)) {
                ledger.seen(o.get().agent(), asked);
            }
        }
        Listing l = new Listing(asked, Collections.unmodifiableMap(byId));
        synchronized (this) {
            if (listing == null || asked.isAfter(listing.askedAt())) {
                listing = l;
            }
        }
        return l;
    }

    /**
     * Asks Nova to delete a server of the ledger. It keeps counting against quota until Nova answers 404
     * ({@link #awaitGone}, or the cleanup's {@link Janitor}); a failed request is retried by the cleanup.
     */
    public void release(String name, String reason) {
        Optional<Ledger.Entry> e = ledger.get(name);
        if (e.isEmpty()) {
            return;
        }
        ledger.transition(name, Ledger.State.DELETING, clock.instant(), reason);
        String id = e.get().serverId();
        synchronized (removals) {
            removals.addFirst(new Removal(name, id, reason, clock.instant()));
            while (removals.size() > REMOVALS_KEPT) {
                removals.removeLast();
            }
        }
        if (id == null) {
            ledger.gone(name, clock.instant());
            return;
        }
        try {
            Instant asked = clock.instant();
            if (gate.delete(id)) {
                ledger.seen(name, asked);
                ledger.deleteAccepted(name);
                LOGGER.info(() -> "Deleting server " + name + " (" + id + ") of cloud " + cloudName + ": " + reason);
            } else {
                ledger.gone(name, clock.instant());
                LOGGER.info(() -> "Server " + name + " (" + id + ") of cloud " + cloudName + " was already gone");
            }
        } catch (ComputeException ex) {
            // the outage itself is logged once by the gate; a delete still failing after 5 min is a WARNING
            LOGGER.info(() -> "Could not delete server " + name + " (" + id + ") of cloud " + cloudName + " yet: "
                    + ex.getMessage() + "; the cleanup will retry");
        }
    }

    /**
     * Deletes a server the ledger may not know (an agent saved before a restart), and tracks it until it is gone.
     */
    public void release(String name, String template, String serverId, String reason) {
        ledger.adopt(name, template, new Quota(1, 0, 0), serverId, Ledger.State.RUNNING, clock.instant());
        release(name, reason);
    }

    /**
     * Waits until Nova has dropped a server being deleted, looking after {@link #FIRST_POLL} and then after
     * pauses that double (shared lists, as {@link #awaitActive}), so that its quota is free for the next server
     * within seconds. Returns false if it was still there after {@code max}; the cleanup's later passes keep
     * watching it then.
     */
    public boolean awaitGone(String name, Duration max) throws InterruptedException {
        return awaitGone(name, max, () -> false);
    }

    /**
     * As {@link #awaitGone(String, Duration)}, but gives up without another request once {@code abandoned} says
     * so (the Jenkins that asked is shutting down: the next one's cleanup watches the server).
     */
    public boolean awaitGone(String name, Duration max, BooleanSupplier abandoned) throws InterruptedException {
        Instant deadline = clock.instant().plus(max);
        Duration pause = FIRST_POLL;
        while (true) {
            Optional<Ledger.Entry> e = ledger.get(name);
            if (e.isEmpty()) {
                return true;
            }
            if (e.get().state() != Ledger.State.DELETING || !clock.instant().isBefore(deadline)) {
                return false;
            }
            sleeper.sleep(pause);
            pause = pause.multipliedBy(2).compareTo(MAX_POLL) < 0 ? pause.multipliedBy(2) : MAX_POLL;
            if (abandoned.getAsBoolean()) {
                return false;
            }
            try {
                if (servers(clock.instant()).lacks(e.get().serverId())) {
                    ledger.gone(name, clock.instant());
                    LOGGER.fine(() -> "Server " + name + " is gone from cloud " + cloudName);
                    return true;
                }
            } catch (ComputeException ex) {
                LOGGER.fine(() -> "Deletion check of " + name + " failed: " + ex.getMessage());
            }
        }
    }

    /** Whether the periodic cleanup of this cloud is due (and, if so, records that it runs now). */
    public synchronized boolean cleanupDue(Duration interval) {
        Instant now = clock.instant();
        if (lastCleanup != null && now.isBefore(lastCleanup.plus(interval))) {
            return false;
        }
        lastCleanup = now;
        return true;
    }

    /** Sends a delete again for a server whose earlier delete request failed. */
    void retryDelete(Ledger.Entry e) {
        try {
            Instant asked = clock.instant();
            if (gate.delete(e.serverId())) {
                ledger.seen(e.name(), asked);
                ledger.deleteAccepted(e.name());
            } else {
                ledger.gone(e.name(), clock.instant());
            }
        } catch (ComputeException ex) {
            LOGGER.fine(() -> "Delete of " + e.name() + " failed again: " + ex.getMessage());
        }
    }

    /**
     * Rebuilds the ledger from Nova after a restart: every server carrying this controller's and this cloud's
     * ownership metadata is counted, in the state Nova reports, with its flavor's resources.
     */
    public void reconcile() throws ComputeException {
        int adopted = 0;
        for (Server s : servers(clock.instant()).byId().values()) {
            Optional<Ownership> o = Ownership.of(s.metadata());
            if (o.isEmpty() || ledger.get(o.get().agent()).isPresent()) {
                continue;
            }
            Quota resources = new Quota(1, 0, 0);
            if (s.flavorId() != null) {
                try {
                    resources = Quota.of(flavor(s.flavorId()));
                } catch (ComputeException e) {
                    LOGGER.fine(() -> "Flavor of " + s.name() + " unknown: " + e.getMessage());
                }
            }
            ledger.adopt(o.get().agent(), o.get().template(), resources, s.id(), stateOf(s),
                    s.created() != null ? s.created() : clock.instant());
            adopted++;
        }
        if (adopted > 0) {
            int n = adopted;
            LOGGER.info(() -> "Cloud " + cloudName + ": found " + n + " server(s) of this controller on Nova");
        }
    }

    /** {@link #reconcile} once in the runtime's life: before the first plan or the first cleanup pass. */
    void reconcileOnce() throws ComputeException {
        synchronized (this) {
            if (reconciled) {
                return;
            }
        }
        reconcile();
        synchronized (this) {
            reconciled = true;
        }
    }

    private static Ledger.State stateOf(Server s) {
        switch (s.status()) {
            case BUILD: return Ledger.State.BUILDING;
            case ERROR: return Ledger.State.ERROR;
            default: return Ledger.State.RUNNING;
        }
    }

    /** The last deletions asked for, newest first. */
    public List<Removal> removals() {
        synchronized (removals) {
            return List.copyOf(removals);
        }
    }

    /** Nova's limits as last read, or null if never read. */
    public synchronized LimitsSnapshot lastLimits() {
        return limits;
    }

    /** Whether requests to the cloud are paused now, and why; null when they are not. */
    public synchronized String pauseReason() {
        Instant now = clock.instant();
        if (callPause.isPaused(now)) {
            return "calls paused until " + callPause.until() + " after: " + callPause.reason();
        }
        if (quotaPause.isPaused(now)) {
            return "creates paused until " + quotaPause.until() + " after: " + quotaPause.reason();
        }
        return null;
    }

    /** One call through the gate: pause, rate limit, statistics, and the pause's bookkeeping. */
    @FunctionalInterface
    private interface Call<T> {
        T run(Compute c) throws ComputeException;
    }

    private <T> T call(String op, Call<T> call) throws ComputeException {
        synchronized (this) {
            if (callPause.isPaused(clock.instant())) {
                throw new ComputeException(ComputeException.Kind.TRANSIENT, "Requests to cloud " + cloudName
                        + " are paused until " + callPause.until() + " after: " + callPause.reason());
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
                callPause.succeeded();
                failures = failing.recovered(op, clock.instant());
            }
            if (failures > 0) {
                LOGGER.info(() -> "Cloud " + cloudName + " answers again (after " + failures + " failed calls)");
            }
            return r;
        } catch (ComputeException e) {
            stats.record(op, e.getKind().name());
            if (e.is(ComputeException.Kind.TRANSIENT) || e.is(ComputeException.Kind.RATE_LIMITED)) {
                Duration d;
                boolean first;
                int failures;
                synchronized (this) {
                    d = callPause.failed(clock.instant(), e.getRetryAfter().orElse(null), e.getMessage());
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
            throw e;
        }
    }

    /** The cloud, as the rest of the runtime and the plugin see it. */
    private final class Gate implements Compute {
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
    }
}
