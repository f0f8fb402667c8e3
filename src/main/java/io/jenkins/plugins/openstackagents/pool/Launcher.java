package io.jenkins.plugins.openstackagents.pool;

import io.jenkins.plugins.openstackagents.nova.Compute;
import io.jenkins.plugins.openstackagents.nova.ComputeException;
import io.jenkins.plugins.openstackagents.nova.Server;
import io.jenkins.plugins.openstackagents.nova.ServerRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;

/**
 * Sends the create request of a reserved server and watches it boot. A quota refusal (403 at once, or the late 413
 * of a server gone to ERROR) pauses creates and has the limits read again; a server that goes to ERROR or does not
 * boot in time is deleted, and keeps counting against quota until Nova drops it.
 */
final class Launcher {

    private static final Logger LOGGER = Logger.getLogger(Launcher.class.getName());

    private final String cloudName;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Ledger ledger;
    private final Compute gate;
    private final CloudSnapshots snapshots;
    private final QuotaWatch quota;
    private final Reaper reaper;
    private final ApiStats stats;

    Launcher(String cloudName, Clock clock, Sleeper sleeper, Ledger ledger, Compute gate, CloudSnapshots snapshots,
             QuotaWatch quota, Reaper reaper, ApiStats stats) {
        this.cloudName = cloudName;
        this.clock = clock;
        this.sleeper = sleeper;
        this.ledger = ledger;
        this.gate = gate;
        this.snapshots = snapshots;
        this.quota = quota;
        this.reaper = reaper;
        this.stats = stats;
    }

    /** Sends the create request of a reserved server; Nova answered 202 when this returns. */
    Server create(String name, ServerRequest request) throws ComputeException {
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

    private void quotaRefused(String message) {
        snapshots.forgetLimits();
        quota.refused(message);
    }

    /** Between two looks at Nova, how often a launch asks whether the server's agent has connected. */
    static final Duration AGENT_CHECK = Duration.ofMillis(250);

    /**
     * Watches a created server until it is ACTIVE: looks after {@link Poll#FIRST}, then after pauses that double,
     * each look one list shared with every other watch. With {@code agentConnected} (may be null), ends without
     * asking Nova again as soon as the server's agent has connected (checked every {@link #AGENT_CHECK}): it runs,
     * so it is ACTIVE. Ends too once the server is being deleted (a single-use agent whose build already ran).
     */
    Server awaitActive(String name, Server server, Duration bootTimeout, BooleanSupplier agentConnected)
            throws ComputeException, InterruptedException {
        Instant deadline = clock.instant().plus(bootTimeout);
        Duration pause = Poll.FIRST;
        while (true) {
            Duration left = Duration.between(clock.instant(), deadline);
            if (pauseUnlessConnected(left.isNegative() ? Duration.ZERO : pause.compareTo(left) < 0 ? pause : left,
                    agentConnected)) {
                return running(name, server);
            }
            pause = Poll.next(pause);
            if (ledger.get(name).map(e -> e.state() == Ledger.State.DELETING).orElse(true)) {
                throw new ComputeException(ComputeException.Kind.NOT_FOUND,
                        "Server " + name + " is being deleted; its launch ends");
            }
            Server s = look(name, server);
            if (s == null || s.status() == Server.Status.DELETED) {
                ledger.gone(name, clock.instant());
                throw new ComputeException(ComputeException.Kind.NOT_FOUND,
                        "Server " + name + " vanished from Nova while booting");
            }
            if (s.status() == Server.Status.ACTIVE) {
                return running(name, s);
            }
            if (s.status() == Server.Status.ERROR) {
                throw failed(name, s.fault());
            }
            if (!clock.instant().isBefore(deadline)) {
                stats.record("boot", "TIMEOUT");
                String why = "boot timeout " + bootTimeout.toSeconds() + " s exceeded in state " + s.status();
                reaper.release(name, why, false);
                throw new ComputeException(ComputeException.Kind.TRANSIENT, "Server " + name + ": " + why);
            }
        }
    }

    /** Sleeps for {@code d}, or less if the agent connects meanwhile; returns whether it has. */
    private boolean pauseUnlessConnected(Duration d, BooleanSupplier agentConnected) throws InterruptedException {
        if (agentConnected == null) {
            sleeper.sleep(d);
            return false;
        }
        Instant until = clock.instant().plus(d);
        while (true) {
            Duration left = Duration.between(clock.instant(), until);
            if (agentConnected.getAsBoolean()) {
                return true;
            }
            if (left.isNegative() || left.isZero()) {
                return false;
            }
            sleeper.sleep(left.compareTo(AGENT_CHECK) < 0 ? left : AGENT_CHECK);
        }
    }

    /** The server as the shared list shows it; as before when the cloud fails for a moment. */
    private Server look(String name, Server server) throws ComputeException {
        try {
            return snapshots.servers(clock.instant()).byId().get(server.id());
        } catch (ComputeException e) {
            if (!e.is(ComputeException.Kind.TRANSIENT) && !e.is(ComputeException.Kind.RATE_LIMITED)) {
                reaper.release(name, "boot check failed: " + e.getMessage(), false);
                throw e;
            }
            LOGGER.fine(() -> "Watching " + name + ": " + e.getMessage());
            return server;
        }
    }

    private ComputeException failed(String name, Server.Fault f) {
        boolean overQuota = f != null && f.isQuotaExceeded();
        String why = "server went to ERROR" + (f == null ? "" : " (fault " + f.code() + ": " + f.message() + ")");
        ledger.transition(name, Ledger.State.ERROR, clock.instant(), why);
        stats.record("boot", overQuota ? "QUOTA_EXCEEDED" : "ERROR");
        if (overQuota) {
            quotaRefused(f.message());
        }
        reaper.release(name, why, false);
        return new ComputeException(overQuota ? ComputeException.Kind.QUOTA_EXCEEDED
                : ComputeException.Kind.PERMANENT, "Server " + name + " " + why);
    }

    private Server running(String name, Server s) {
        ledger.transition(name, Ledger.State.RUNNING, clock.instant(), null);
        stats.record("boot", "ACTIVE");
        quota.booted();
        return s;
    }
}
