package io.jenkins.plugins.openstackagents.pool;

import io.jenkins.plugins.openstackagents.nova.ComputeException;
import io.jenkins.plugins.openstackagents.nova.Server;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The cloud side of one cleanup pass: one list of the cloud's servers (a new one, or one a boot or delete watch
 * asked for at most {@link CloudRuntime#LISTING_REUSE} ago), and from it every decision. Servers Nova dropped
 * are forgotten; failed deletes are sent again; servers in ERROR, servers past their boot timeout and leaked
 * servers (ours, with no agent and no launch, seen so on two passes in a row) are deleted. Servers of another
 * controller or another cloud are never in the list, so never touched.
 */
public final class Janitor {

    private static final Logger LOGGER = Logger.getLogger(Janitor.class.getName());

    /** A delete failing for longer than this is worth a WARNING (once per server). */
    static final Duration DELETE_WARNING_AFTER = Duration.ofMinutes(5);

    private final CloudRuntime rt;
    private Set<String> suspects = Set.of(); // server ids seen leaked on the previous pass
    private Instant lastListedAt = Instant.MIN; // when the previous pass's list was asked for
    private final Map<String, Instant> warned = new HashMap<>();

    Janitor(CloudRuntime rt) {
        this.rt = rt;
    }

    /**
     * Runs the cloud's steps once.
     *
     * @param agents the agents Jenkins has for this cloud, by name
     * @param launching agents being started right now (their launch watches the server itself)
     * @param bootTimeout the boot timeout of a template, by template name (null: unknown template)
     * @return the list the pass decided from (for {@link #vanished}), or empty when Nova could not be asked
     */
    public synchronized Optional<CloudRuntime.Listing> pass(Set<String> agents, Set<String> launching,
                                                            Function<String, Duration> bootTimeout) {
        CloudRuntime.Listing listing;
        try {
            // never the previous pass's list again: two passes are two looks at Nova
            rt.reconcileOnce(); // after a restart: the ledger knows what is ours before anything is decided
            Instant reusable = rt.now().minus(CloudRuntime.LISTING_REUSE);
            listing = rt.servers(reusable.isAfter(lastListedAt) ? reusable : lastListedAt.plusNanos(1));
        } catch (ComputeException e) {
            LOGGER.fine(() -> "Cleanup of cloud " + rt.cloudName() + " skipped: " + e.getMessage());
            return Optional.empty();
        }
        List<Server> ours = new ArrayList<>();
        for (Server s : listing.byId().values()) {
            if (!rt.ledger().isGone(s.id())) { // dropped since the list was asked for
                ours.add(s);
            }
        }
        lastListedAt = listing.askedAt();
        forgetVanished(listing.byId(), listing.askedAt());
        deleteErrored(ours);
        deleteStuckBoots(launching, bootTimeout);
        deleteLeaks(ours, agents, launching);
        return Optional.of(listing);
    }

    /**
     * Whether an agent's server had vanished from Nova when the list was asked for. An agent whose server Nova
     * accepted after that is not in the list, and not vanished.
     */
    public boolean vanished(CloudRuntime.Listing listing, String agent, String serverId) {
        if (!listing.lacks(serverId)) {
            return false;
        }
        Optional<Ledger.Entry> e = rt.ledger().get(agent);
        return e.isEmpty() || !serverId.equals(e.get().serverId()) || e.get().acceptedAt() == null
                || e.get().acceptedAt().isBefore(listing.askedAt());
    }

    /**
     * Servers Nova no longer lists are forgotten (being deleted, or gone some other way); a failed delete is sent
     * again. Only servers accepted before the list was asked for: a newer one may simply not be in it.
     */
    private void forgetVanished(Map<String, Server> onNova, Instant listedAt) {
        for (Ledger.Entry e : rt.ledger().entries(x -> x.acceptedAt() != null && x.acceptedAt().isBefore(listedAt))) {
            step("check of " + e.name(), () -> {
                Server s = onNova.get(e.serverId());
                if (s == null || s.status() == Server.Status.DELETED) {
                    rt.ledger().gone(e.name(), rt.now());
                    warned.remove(e.name());
                    if (e.state() == Ledger.State.DELETING) {
                        LOGGER.fine(() -> "Server " + e.name() + " is gone from cloud " + rt.cloudName());
                    } else {
                        LOGGER.info(() -> "Server " + e.name() + " (" + e.serverId() + ") of cloud " + rt.cloudName()
                                + " is gone from Nova although it was " + e.state());
                    }
                } else if (e.state() == Ledger.State.DELETING && !e.deleteAccepted()) {
                    rt.retryDelete(e);
                    Duration failing = Duration.between(e.stateSince(), rt.now());
                    if (!rt.ledger().get(e.name()).map(Ledger.Entry::deleteAccepted).orElse(true)
                            && failing.compareTo(DELETE_WARNING_AFTER) > 0 && warned.putIfAbsent(e.name(), rt.now()) == null) {
                        LOGGER.warning(() -> "Deleting server " + e.name() + " (" + e.serverId() + ") of cloud "
                                + rt.cloudName() + " has failed for " + failing.toMinutes()
                                + " min; it still counts against the quota and will be retried");
                    }
                }
            });
        }
    }

    /** Servers Nova reports in ERROR (including its late over-quota failure) hold quota for nothing. */
    private void deleteErrored(List<Server> ours) {
        for (Server s : ours) {
            if (s.status() != Server.Status.ERROR) {
                continue;
            }
            step("delete errored " + s.name(), () -> {
                String name = agentName(s);
                if (rt.ledger().get(name).map(e -> e.state() == Ledger.State.DELETING).orElse(false)) {
                    return;
                }
                Server.Fault f = s.fault();
                adopt(s);
                rt.release(name, "server in ERROR" + (f == null ? "" : " (fault " + f.code() + ": " + f.message() + ")"));
            });
        }
    }

    /** Servers still booting past their template's boot timeout, that no launch watches (e.g. after a restart). */
    private void deleteStuckBoots(Set<String> launching, Function<String, Duration> bootTimeout) {
        for (Ledger.Entry e : rt.ledger().entries(x -> x.state() == Ledger.State.BUILDING)) {
            Duration timeout = bootTimeout.apply(e.template());
            if (launching.contains(e.name()) || timeout == null || e.acceptedAt() == null
                    || rt.now().isBefore(e.acceptedAt().plus(timeout))) {
                continue;
            }
            step("boot timeout of " + e.name(), () -> rt.release(e.name(),
                    "boot timeout " + timeout.toMinutes() + " min exceeded"));
        }
    }

    /** Ours by metadata, no agent in Jenkins, no launch: deleted when seen so on two passes in a row. */
    private void deleteLeaks(List<Server> ours, Set<String> agents, Set<String> launching) {
        Set<String> now = new HashSet<>();
        for (Server s : ours) {
            String name = agentName(s);
            Optional<Ledger.Entry> e = rt.ledger().get(name);
            if (agents.contains(name) || launching.contains(name) || s.status() == Server.Status.ERROR
                    || e.map(x -> x.state() == Ledger.State.DELETING).orElse(false)) {
                continue;
            }
            if (suspects.contains(s.id())) {
                step("delete leaked " + s.name(), () -> {
                    adopt(s);
                    rt.release(name, "leaked: no agent in Jenkins for it on two cleanup passes");
                });
            } else {
                now.add(s.id());
                LOGGER.fine(() -> "Server " + s.name() + " of cloud " + rt.cloudName() + " has no agent; deleted if"
                        + " still so on the next pass");
            }
        }
        suspects = now;
    }

    private void adopt(Server s) {
        Ownership o = Ownership.of(s.metadata()).orElseThrow();
        rt.ledger().adopt(o.agent(), o.template(), new Quota(1, 0, 0), s.id(), Ledger.State.RUNNING,
                s.created() != null ? s.created() : rt.now());
    }

    private static String agentName(Server s) {
        return Ownership.of(s.metadata()).map(Ownership::agent).orElse(s.name());
    }

    /** One item of one step: its failure is logged and never stops the others. */
    private void step(String what, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOGGER.warning(() -> "Cleanup of cloud " + rt.cloudName() + ": " + what + " failed: " + e);
        }
    }
}
