package io.jenkins.plugins.openstackagents.pool;

import io.jenkins.plugins.openstackagents.nova.Compute;
import io.jenkins.plugins.openstackagents.nova.ComputeException;
import io.jenkins.plugins.openstackagents.nova.Flavor;
import io.jenkins.plugins.openstackagents.nova.Server;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the plugin last read of a cloud and may read again only now and then: Nova's limits (at most once per
 * interval, and at once after a quota refusal), the flavors (every {@link #FLAVORS_INTERVAL}), and the list of this
 * cloud's servers that every boot watch, delete watch and the cleanup share. Nothing is held while Nova answers;
 * two callers may at worst both ask.
 */
public final class CloudSnapshots {

    /** Flavors rarely change: read again at most this often. */
    static final Duration FLAVORS_INTERVAL = Duration.ofMinutes(10);

    private final String cloudName;
    private final String controllerId;
    private final Compute gate;
    private final Ledger ledger;
    private final Clock clock;
    private volatile Duration limitsInterval = Defaults.LIMITS_INTERVAL;
    private LimitsSnapshot limits; // guarded by this
    private Map<String, Flavor> flavors = Map.of(); // guarded by this
    private Instant flavorsReadAt; // guarded by this
    private Listing listing; // guarded by this

    CloudSnapshots(String cloudName, String controllerId, Compute gate, Ledger ledger, Clock clock) {
        this.cloudName = cloudName;
        this.controllerId = controllerId;
        this.gate = gate;
        this.ledger = ledger;
        this.clock = clock;
    }

    void setLimitsInterval(Duration d) {
        this.limitsInterval = d;
    }

    /** Forgets everything read: the cloud's connection changed. */
    synchronized void reset() {
        limits = null;
        flavorsReadAt = null;
        listing = null;
    }

    /** Nova's limits, read at most once per interval (and at once after {@link #forgetLimits}). */
    public LimitsSnapshot limits() throws ComputeException {
        Instant now = clock.instant();
        synchronized (this) {
            if (limits != null && now.isBefore(limits.readAt().plus(limitsInterval))) {
                return limits;
            }
        }
        LimitsSnapshot fresh = new LimitsSnapshot(gate.limits(), now);
        synchronized (this) {
            if (limits == null || fresh.readAt().isAfter(limits.readAt())) {
                limits = fresh;
            }
            return limits;
        }
    }

    /** Nova's limits as last read, or null when never read or forgotten. */
    public synchronized LimitsSnapshot lastLimits() {
        return limits;
    }

    /** The next {@link #limits} asks Nova again (after a quota refusal, say). */
    synchronized void forgetLimits() {
        limits = null;
    }

    /** The flavor with this id (or name), from a list read at most once per {@link #FLAVORS_INTERVAL}. */
    public Flavor flavor(String idOrName) throws ComputeException {
        Instant now = clock.instant();
        Map<String, Flavor> known;
        synchronized (this) {
            known = flavorsReadAt != null && now.isBefore(flavorsReadAt.plus(FLAVORS_INTERVAL)) ? flavors : null;
        }
        if (known == null) {
            Map<String, Flavor> m = new HashMap<>();
            for (Flavor f : gate.flavors()) {
                m.put(f.name(), f);
                m.put(f.id(), f);
            }
            known = Collections.unmodifiableMap(m);
            synchronized (this) {
                flavors = known;
                flavorsReadAt = now;
            }
        }
        Flavor f = known.get(idOrName);
        if (f == null) {
            throw new ComputeException(ComputeException.Kind.PERMANENT,
                    "Cloud " + cloudName + " has no flavor '" + idOrName + "'");
        }
        return f;
    }

    /**
     * This cloud's servers (by ownership metadata), from a list request sent at or after {@code notBefore}: the
     * last one if it is recent enough, else a new one. Every watch of a booting or vanishing server and the
     * cleanup share it, so a dozen servers changing state cost one request, not a dozen.
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
}
