package io.jenkins.plugins.openstackagents.pool;

import io.jenkins.plugins.openstackagents.nova.Compute;
import io.jenkins.plugins.openstackagents.nova.ComputeException;
import io.jenkins.plugins.openstackagents.nova.Flavor;
import io.jenkins.plugins.openstackagents.nova.Image;
import io.jenkins.plugins.openstackagents.nova.Server;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * What the plugin last read of a cloud and may read again only now and then: Nova's limits (at most once per
 * interval, and at once after a quota refusal), the flavors (every {@link #FLAVORS_INTERVAL}), the images a
 * template names (every {@link Defaults#IMAGES_INTERVAL}), and the list of this
 * cloud's servers that every boot watch, delete watch and the cleanup share. Nothing is held while Nova answers;
 * two callers may at worst both ask.
 */
public final class CloudSnapshots {

    private static final Logger LOGGER = Logger.getLogger(CloudSnapshots.class.getName());

    /** Flavors rarely change: read again at most this often. */
    static final Duration FLAVORS_INTERVAL = Duration.ofMinutes(10);

    private final String cloudName;
    private final String controllerId;
    private final Compute gate;
    private final Ledger ledger;
    private final Clock clock;
    private volatile Duration limitsInterval = Defaults.LIMITS_INTERVAL;
    private final java.util.function.BooleanSupplier neutronQuota;
    private LimitsSnapshot limits; // guarded by this
    private Map<String, Flavor> flavors = Map.of(); // guarded by this
    private Instant flavorsReadAt; // guarded by this
    private Listing listing; // guarded by this
    private volatile Duration imagesInterval = Defaults.IMAGES_INTERVAL;
    private List<Image> images; // guarded by this; null until read
    private Instant imagesReadAt; // guarded by this: when the list was read, or last failed to be

    CloudSnapshots(String cloudName, String controllerId, Compute gate, Ledger ledger, Clock clock) {
        this(cloudName, controllerId, gate, ledger, clock, () -> false);
    }

    /** @param neutronQuota whether Neutron's quota (floating IPs, ports) is read with Nova's limits */
    CloudSnapshots(String cloudName, String controllerId, Compute gate, Ledger ledger, Clock clock,
                   java.util.function.BooleanSupplier neutronQuota) {
        this.neutronQuota = neutronQuota;
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
        images = null;
        imagesReadAt = null;
    }

    /** How often the images are read again for templates that give an image by name or tag. */
    public void setImagesInterval(Duration d) {
        this.imagesInterval = d;
    }

    /**
     * Nova's limits, read at most once per interval (and at once after {@link #forgetLimits}); with them Neutron's
     * quota of floating IPs and ports.
     */
    public LimitsSnapshot limits() throws ComputeException {
        Instant now = clock.instant();
        synchronized (this) {
            if (limits != null && now.isBefore(limits.readAt().plus(limitsInterval))) {
                return limits;
            }
        }
        io.jenkins.plugins.openstackagents.nova.Limits nova = gate.limits();
        LimitsSnapshot fresh = neutronQuota.getAsBoolean()
                ? new LimitsSnapshot(nova, gate.neutronQuota(), now, clock.instant())
                : new LimitsSnapshot(nova, now);
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

    /**
     * The id of the image a template's {@code ref} stands for now ({@link ImageRef}): an id as is, without a
     * request; a name or tag from the image list, read through the gate at most once per images interval. While
     * Glance fails, the last list read serves, and Glance is asked again after {@link Defaults#IMAGES_RETRY}. A name
     * nothing matches goes to Nova as given (its refusal names it).
     *
     * @throws ComputeException when the list cannot be read and none was read before
     */
    public String imageId(String ref) throws ComputeException {
        ImageRef r = new ImageRef(ref);
        if (r.isId()) {
            return ref;
        }
        Instant now = clock.instant();
        List<Image> known;
        synchronized (this) {
            known = images != null && now.isBefore(imagesReadAt.plus(imagesInterval)) ? images : null;
        }
        if (known == null) {
            try {
                known = List.copyOf(gate.images());
                synchronized (this) {
                    images = known;
                    imagesReadAt = now;
                }
            } catch (ComputeException e) {
                synchronized (this) {
                    if (images == null) {
                        throw e;
                    }
                    known = images;
                    imagesReadAt = now.minus(imagesInterval).plus(Defaults.IMAGES_RETRY);
                }
                LOGGER.fine(() -> "Cloud " + cloudName + ": images not read again (" + e.getMessage()
                        + "); the last list serves");
            }
        }
        return r.choose(known).map(Image::id).orElse(ref);
    }

    /**
     * The id {@code ref} stood for in the last image list read, without a request: an id as is; null when no list
     * was read or nothing in it matches.
     */
    public String knownImageId(String ref) {
        ImageRef r = new ImageRef(ref);
        if (r.isId()) {
            return ref;
        }
        synchronized (this) {
            return images == null ? null : r.choose(images).map(Image::id).orElse(null);
        }
    }
}
