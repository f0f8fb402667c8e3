package io.jenkins.plugins.openstackagents.pool;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Answers "how many servers of this template may I request now?" and reserves them in the {@link Ledger}, in one
 * atomic step so that concurrent provisioning rounds never both take the last free slot.
 *
 * <p>A request fits when it is within the cloud's and the template's instance caps and within Nova's quota:
 * the limits Nova last reported, minus what Nova counted as used then, minus what the plugin has requested since
 * (which Nova may not count yet), plus what has been released since (deleted servers Nova answered 404 for). Neutron's
 * quota bounds the same way the templates that take floating IPs ({@link FloatingIps#headroom}) and every server's
 * ports ({@link Ledger#portHeadroom}).
 */
public final class Planner {

    /** What stopped a plan from reserving everything that was wanted. */
    public enum Bound { NONE, CLOUD_CAP, TEMPLATE_CAP, QUOTA, PAUSED }

    /** The outcome: the names reserved (possibly none), and the tightest bound if fewer than wanted. */
    public record Plan(List<String> reserved, Bound bound, Quota headroom) {
        public boolean isEmpty() {
            return reserved.isEmpty();
        }

        /** Nothing reserved because requests to the cloud are paused; Nova was not asked. */
        static Plan paused() {
            return new Plan(List.of(), Bound.PAUSED, Quota.NONE);
        }
    }

    /**
     * What one template asks for. {@code templateCap <= 0} means no template cap; {@code floatingIp}: each server
     * gets a floating IP, so Neutron's floating IP quota bounds them too; {@code ports}: the Neutron ports each
     * server takes (one per network), bounded by Neutron's port quota ({@code 0}: not counted).
     */
    public record Request(String template, Quota perServer, int wanted, int templateCap, boolean floatingIp,
                          int ports) {
        public Request(String template, Quota perServer, int wanted, int templateCap) {
            this(template, perServer, wanted, templateCap, false, 0);
        }

        /** The same request for at most {@code n} servers. */
        Request atMost(int n) {
            return new Request(template, perServer, Math.min(wanted, n), templateCap, floatingIp, ports);
        }
    }

    private final Ledger ledger;
    private final FloatingIps floatingIps; // null: no floating IP bound

    public Planner(Ledger ledger) {
        this(ledger, null);
    }

    Planner(Ledger ledger, FloatingIps floatingIps) {
        this.ledger = ledger;
        this.floatingIps = floatingIps;
    }

    /** Quota free right now according to the snapshot and the ledger. */
    public Quota headroom(LimitsSnapshot limits) {
        synchronized (ledger) {
            // released first: minus() stops at zero, so subtracting first would lose what is in flight
            return Quota.headroom(limits.limits())
                    .plus(ledger.releasedSince(limits))
                    .minus(ledger.unaccountedIn(limits));
        }
    }

    /**
     * Reserves up to {@code request.wanted()} servers.
     *
     * @param cloudCap the cloud-wide instance cap, {@code <= 0} for none
     * @param names makes a fresh, unique server name
     */
    public Plan reserve(Request request, int cloudCap, LimitsSnapshot limits, Supplier<String> names, Instant now) {
        synchronized (ledger) {
            Quota headroom = headroom(limits);
            int byQuota = headroom.count(request.perServer());
            int byCloud = cloudCap > 0 ? Math.max(0, cloudCap - ledger.count(e -> true)) : Integer.MAX_VALUE;
            int byTemplate = request.templateCap() > 0
                    ? Math.max(0, request.templateCap() - ledger.count(e -> e.template().equals(request.template())))
                    : Integer.MAX_VALUE;
            int byFloatingIps = request.floatingIp() && floatingIps != null ? floatingIps.headroom(limits)
                    : Integer.MAX_VALUE;
            int byPorts = request.ports() > 0 ? ledger.portHeadroom(limits) / request.ports() : Integer.MAX_VALUE;
            int n = Math.min(Math.min(request.wanted(), Math.min(byFloatingIps, byPorts)),
                    Math.min(byQuota, Math.min(byCloud, byTemplate)));
            List<String> reserved = new ArrayList<>(n);
            while (reserved.size() < n) {
                String name = names.get();
                if (ledger.reserve(name, request.template(), request.perServer(), request.ports(), now)) {
                    reserved.add(name);
                    if (request.floatingIp() && floatingIps != null) {
                        floatingIps.reserved(name);
                    }
                }
            }
            Bound bound = Bound.NONE;
            if (n < request.wanted()) {
                bound = n == byCloud ? Bound.CLOUD_CAP : n == byTemplate ? Bound.TEMPLATE_CAP : Bound.QUOTA;
            }
            return new Plan(List.copyOf(reserved), bound, headroom);
        }
    }
}
