package io.jenkins.plugins.openstackagents.pool;

import io.jenkins.plugins.openstackagents.nova.ComputeException;
import io.jenkins.plugins.openstackagents.nova.Server;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The cloud side of one cleanup pass: one list of the cloud's servers (a new one, or one a boot or delete watch
 * asked for at most {@link #LISTING_REUSE} ago), and from it every decision. Servers Nova dropped
 * are forgotten; failed deletes are sent again; servers in ERROR, servers past their boot timeout and leaked
 * servers (ours, with no agent and no launch, seen so on two passes in a row) are deleted. Servers of another
 * controller or another cloud are never in the list, so never touched.
 */
public final class Janitor {

    private static final Logger LOGGER = Logger.getLogger(Janitor.class.getName());

    /** A delete failing for longer than this is worth a WARNING (once per server). */
    static final Duration DELETE_WARNING_AFTER = Duration.ofMinutes(5);
    /** A pass may decide from a list of the cloud's servers this old, asked for by a boot or delete watch. */
    static final Duration LISTING_REUSE = Duration.ofSeconds(30);

    private final String cloudName;
    private final Clock clock;
    private final Ledger ledger;
    private final CloudSnapshots snapshots;
    private final Reaper reaper;
    private final Reconciler reconciler;
    private final FloatingIps floatingIps;
    private Set<String> suspects = Set.of(); // guarded by passing: server ids seen leaked on the previous pass
    private Instant lastListedAt = Instant.MIN; // guarded by passing: when the previous pass's list was asked
    private Instant lastPass; // guarded by this: when a pass was last due
    /** Held by the pass that runs (across its requests to the cloud): another one skips, none waits for it. */
    private final ReentrantLock passing = new ReentrantLock();
    private final Map<String, Instant> warned = new HashMap<>();

    /** What a pass found: the list it decided from, and the agents whose server had vanished by then. */
    public record Report(Listing listing, Set<String> vanishedAgents) {
    }

    Janitor(String cloudName, Clock clock, Ledger ledger, CloudSnapshots snapshots, Reaper reaper,
            Reconciler reconciler, FloatingIps floatingIps) {
        this.cloudName = cloudName;
        this.clock = clock;
        this.ledger = ledger;
        this.snapshots = snapshots;
        this.reaper = reaper;
        this.reconciler = reconciler;
        this.floatingIps = floatingIps;
    }

    /** Whether a pass is due after {@code interval} (and, if so, records that one runs now). */
    synchronized boolean due(Duration interval) {
        Instant now = clock.instant();
        if (lastPass != null && now.isBefore(lastPass.plus(interval))) {
            return false;
        }
        lastPass = now;
        return true;
    }

    /**
     * Runs the cloud's steps once.
     *
     * @param agents the agents Jenkins has for this cloud: their server id, by agent name
     * @param bootTimeout the boot timeout of a template, by template name (null: unknown template)
     * @return what the pass found, or empty when Nova could not be asked (or the ledger is being rebuilt, or
     *     another pass runs)
     */
    public Optional<Report> pass(Map<String, String> agents, Function<String, Duration> bootTimeout) {
        if (!passing.tryLock()) {
            return Optional.empty(); // a pass runs now: nothing to add to it
        }
        try {
            return passOnce(agents, bootTimeout);
        } finally {
            passing.unlock();
        }
    }

    private Optional<Report> passOnce(Map<String, String> agents, Function<String, Duration> bootTimeout) {
        Listing listing;
        try {
            // after a restart: the ledger knows what is ours before anything is decided
            if (!reconciler.reconcileOnce()) {
                return Optional.empty();
            }
            // never the previous pass's list again: two passes are two looks at Nova
            Instant reusable = clock.instant().minus(LISTING_REUSE);
            listing = snapshots.servers(reusable.isAfter(lastListedAt) ? reusable : lastListedAt.plusNanos(1));
        } catch (ComputeException e) {
            LOGGER.fine(() -> "Cleanup of cloud " + cloudName + " skipped: " + e.getMessage());
            return Optional.empty();
        }
        Set<String> launching = ledger.launching().keySet();
        List<Server> ours = new ArrayList<>();
        for (Server s : listing.byId().values()) {
            if (!ledger.isGone(s.id())) { // dropped since the list was asked for
                ours.add(s);
            }
        }
        lastListedAt = listing.askedAt();
        forgetVanished(listing.byId(), listing.askedAt());
        deleteErrored(ours);
        deleteStuckBoots(launching, bootTimeout);
        deleteLeaks(ours, agents.keySet(), launching);
        floatingIps.sweep(launching);
        Set<String> vanished = new HashSet<>();
        agents.forEach((agent, serverId) -> {
            if (!launching.contains(agent) && vanished(listing, agent, serverId)) {
                vanished.add(agent);
            }
        });
        return Optional.of(new Report(listing, Set.copyOf(vanished)));
    }

    /**
     * Whether an agent's server had vanished from Nova when the list was asked for. An agent whose server Nova
     * accepted after that is not in the list, and not vanished.
     */
    private boolean vanished(Listing listing, String agent, String serverId) {
        if (serverId == null || !listing.lacks(serverId)) {
            return false;
        }
        Optional<Ledger.Entry> e = ledger.get(agent);
        return e.isEmpty() || !serverId.equals(e.get().serverId()) || e.get().acceptedAt() == null
                || e.get().acceptedAt().isBefore(listing.askedAt());
    }

    /**
     * Servers Nova no longer lists are forgotten (being deleted, or gone some other way); a failed delete is sent
     * again. Only servers accepted before the list was asked for: a newer one may simply not be in it.
     */
    private void forgetVanished(Map<String, Server> onNova, Instant listedAt) {
        for (Ledger.Entry e : ledger.entries(x -> x.acceptedAt() != null && x.acceptedAt().isBefore(listedAt))) {
            step("check of " + e.name(), () -> {
                Server s = onNova.get(e.serverId());
                if (s == null || s.status() == Server.Status.DELETED) {
                    ledger.gone(e.name(), clock.instant());
                    warned.remove(e.name());
                    if (e.state() == Ledger.State.DELETING) {
                        LOGGER.fine(() -> "Server " + e.name() + " is gone from cloud " + cloudName);
                    } else {
                        LOGGER.info(() -> "Server " + e.name() + " (" + e.serverId() + ") of cloud " + cloudName
                                + " is gone from Nova although it was " + e.state());
                    }
                } else if (e.state() == Ledger.State.DELETING && !e.deleteAccepted()) {
                    reaper.retry(e);
                    Duration failing = Duration.between(e.stateSince(), clock.instant());
                    if (!ledger.get(e.name()).map(Ledger.Entry::deleteAccepted).orElse(true)
                            && failing.compareTo(DELETE_WARNING_AFTER) > 0 && warned.putIfAbsent(e.name(), clock.instant()) == null) {
                        LOGGER.warning(() -> "Deleting server " + e.name() + " (" + e.serverId() + ") of cloud "
                                + cloudName + " has failed for " + failing.toMinutes()
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
                if (ledger.get(name).map(e -> e.state() == Ledger.State.DELETING).orElse(false)) {
                    return;
                }
                Server.Fault f = s.fault();
                reconciler.adopt(s);
                reaper.release(name, "server in ERROR" + (f == null ? "" : " (fault " + f.code() + ": " + f.message() + ")"),
                        false);
            });
        }
    }

    /** Servers still booting past their template's boot timeout, that no launch watches (e.g. after a restart). */
    private void deleteStuckBoots(Set<String> launching, Function<String, Duration> bootTimeout) {
        for (Ledger.Entry e : ledger.entries(x -> x.state() == Ledger.State.BUILDING)) {
            Duration timeout = bootTimeout.apply(e.template());
            if (launching.contains(e.name()) || timeout == null || e.acceptedAt() == null
                    || clock.instant().isBefore(e.acceptedAt().plus(timeout))) {
                continue;
            }
            step("boot timeout of " + e.name(), () -> reaper.release(e.name(),
                    "boot timeout " + timeout.toMinutes() + " min exceeded", false));
        }
    }

    /** Ours by metadata, no agent in Jenkins, no launch: deleted when seen so on two passes in a row. */
    private void deleteLeaks(List<Server> ours, Set<String> agents, Set<String> launching) {
        Set<String> now = new HashSet<>();
        for (Server s : ours) {
            String name = agentName(s);
            Optional<Ledger.Entry> e = ledger.get(name);
            if (agents.contains(name) || launching.contains(name) || s.status() == Server.Status.ERROR
                    || e.map(x -> x.state() == Ledger.State.DELETING).orElse(false)) {
                continue;
            }
            if (suspects.contains(s.id())) {
                step("delete leaked " + s.name(), () -> {
                    reconciler.adopt(s);
                    reaper.release(name, "leaked: no agent in Jenkins for it on two cleanup passes", false);
                });
            } else {
                now.add(s.id());
                LOGGER.fine(() -> "Server " + s.name() + " of cloud " + cloudName + " has no agent; deleted if"
                        + " still so on the next pass");
            }
        }
        suspects = now;
    }

    private static String agentName(Server s) {
        return Ownership.of(s.metadata()).map(Ownership::agent).orElse(s.name());
    }

    /** One item of one step: its failure is logged and never stops the others. */
    private void step(String what, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOGGER.warning(() -> "Cleanup of cloud " + cloudName + ": " + what + " failed: " + e);
        }
    }
}
