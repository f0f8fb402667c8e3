package io.jenkins.plugins.openstackagents.bench;

import io.jenkins.plugins.openstackagents.nova.ComputeException;
import io.jenkins.plugins.openstackagents.nova.ConnectionSettings;
import io.jenkins.plugins.openstackagents.nova.Server;
import io.jenkins.plugins.openstackagents.nova.ServerRequest;
import io.jenkins.plugins.openstackagents.pool.CloudRuntime;
import io.jenkins.plugins.openstackagents.pool.Ledger;
import io.jenkins.plugins.openstackagents.pool.Ownership;
import io.jenkins.plugins.openstackagents.pool.Planner;
import io.jenkins.plugins.openstackagents.pool.Quota;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * This plugin's provisioning: the real {@link CloudRuntime} (plan, create, awaitActive, release, awaitGone, the
 * janitor's pass, the limits cache, the gate and its pauses, the planner and the ledger), unchanged, on the
 * virtual clock and the simulated Nova.
 *
 * <p>What cannot run here is the Jenkins side; it is driven the way the plugin's Jenkins classes drive the
 * runtime: every 250 ms, as {@code FastProvisioner} and {@code Provisioning.startNow} do, the builds waiting minus
 * the idle executors minus the agents on their way go to {@code plan()} (the flavor read through
 * {@code CloudRuntime.flavor}, as {@code Provisioning.plan} does), and each reservation is launched (create, then
 * awaitActive with the default 10 min boot timeout). The agent connects itself {@link #AGENT_CONNECT_SECONDS} after
 * its server turns ACTIVE, as an inbound agent started by user data does, and awaitActive ends then without asking
 * Nova again, as {@code Provisioning} tells it the agent is online. When a
 * single-use agent's build ends, {@code release()} then {@code awaitGone(2 min)}, as {@code OpenStackAgent}
 * does. Every 10 s the cleanup runs the janitor's pass when {@code cleanupDue(60 s)} says so, as
 * {@code OpenStackCleanupWork} does. NodeProvisioner's own rounds are left out: FastProvisioner discounts nothing
 * they would add once it has planned every waiting build.
 *
 * <p>With spare agents ({@code spares > 0}, the template's {@code spareAgents}), each of those 10 s passes first
 * replenishes them as the plugin's cleanup does ({@link PluginSpares}); a spare on its way counts as on the way for
 * demand, as {@code Provisioning.onTheWay} counts it, and a build takes an idle online agent first, spare or not
 * ({@link BuildQueue}), which is then an ordinary single-use agent, deleted after its build. With one template there
 * is no spare of another template to delete for a waiting build ({@code SpareAgents.makeRoom}): not modelled.
 */
final class PluginPolicy implements Policy {

    static final String TEMPLATE = "bench";
    private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(10);

    private CloudRuntime rt;
    private Context ctx;
    private final Set<String> onTheWay = new LinkedHashSet<>();
    private final Set<String> agents = new LinkedHashSet<>();
    private final Set<String> online = new LinkedHashSet<>();
    private final int spares;
    private PluginSpares spareAgents;
    /**
     * From ACTIVE to the agent connected: the rig's guest starts the agent jar at once, and its inbound
     * connection takes about a second (EndToEndIT).
     */
    static final double AGENT_CONNECT_SECONDS = 1.0;
    private int names;

    /** Today's policy: no spare agents. */
    PluginPolicy() {
        this(0);
    }

    /** With {@code spares} spare agents of the template kept ready. */
    PluginPolicy(int spares) {
        this.spares = spares;
    }

    @Override
    public String name() {
        return name(spares);
    }

    /** The plugin's name in the reports, with its spare agents (the live benchmark's too). */
    static String name(int spares) {
        return spares == 0 ? "openstack-agents (this plugin, real pool code)"
                : "openstack-agents, " + spares + " spare agent" + (spares == 1 ? "" : "s") + " (real pool code)";
    }

    CloudRuntime runtime() {
        return rt;
    }

    @Override
    public void start(Context c) {
        this.ctx = c;
        rt = new CloudRuntime("bench", "controller", s -> c.nova().client(c.vt()), c.vt(), c.vt());
        rt.setRequestsPerSecond(10_000); // resilience4j's limiter runs on real time; the simulated one is virtual
        rt.connect(new ConnectionSettings("https://keystone.invalid/v3", null,
                new ConnectionSettings.ApplicationCredential("id", "secret"), true, null, null));
        spareAgents = new PluginSpares(rt, TEMPLATE, spares);
        c.vt().spawn("fast-provisioner", this::provisionEveryQuarterSecond);
        c.vt().spawn("cleanup", this::cleanupEveryTenSeconds);
    }

    private void provisionEveryQuarterSecond() throws InterruptedException {
        while (true) {
            int excess = excess();
            if (excess > 0) {
                try {
                    Quota perServer = Quota.of(rt.snapshots().flavor(ctx.flavor().name()));
                    Planner.Plan plan = rt.plan(new Planner.Request(TEMPLATE, perServer, excess, 0), 0,
                            this::newName);
                    launchAll(plan.reserved(), Ledger.Launch.FAST);
                } catch (ComputeException e) {
                    // as Provisioning: the gate has paused; try again on the next round
                }
            }
            ctx.vt().sleep(Duration.ofMillis(250));
        }
    }

    /** Builds waiting that neither an idle agent nor one on its way (spares included) will take. */
    private int excess() {
        return ctx.queue().waiting() - ctx.queue().idle() - onTheWay.size();
    }

    private String newName() {
        return String.format("bench-%06d", ++names);
    }

    private void launchAll(List<String> reserved, Ledger.Launch path) {
        for (String name : reserved) {
            onTheWay.add(name);
            rt.ledger().launchStarted(name, path);
            ctx.vt().spawn(name, () -> launch(name));
        }
    }

    private void launch(String name) throws InterruptedException {
        try {
            ServerRequest request = new ServerRequest(name, ctx.flavor().id(), "img-1", List.of("net-1"), null, List.of(),
                    null, "#!/bin/sh\n", new Ownership("controller", "bench", TEMPLATE, name).toMetadata());
            Server server = rt.create(name, request);
            agents.add(name); // Provisioning adds the agent to Jenkins once Nova has accepted its server
            ctx.nova().activeAt(server.id()).ifPresent(t -> ctx.vt().after(
                    Math.max(0, t - ctx.vt().seconds()) + AGENT_CONNECT_SECONDS, () -> connected(name)));
            rt.awaitActive(name, server, BOOT_TIMEOUT, () -> online.contains(name));
        } catch (ComputeException e) {
            onTheWay.remove(name);
            launchEnded(name, false);
            agents.remove(name);
        }
    }

    /** The agent on the server connected itself (inbound): Jenkins can give it a build. */
    private void connected(String name) {
        if (agents.contains(name) && online.add(name)) {
            onTheWay.remove(name);
            launchEnded(name, true);
            ctx.queue().agentOnline(() -> buildEnded(name));
        }
    }

    /** As {@code AgentLaunch}: a spare that came online lets the next one start at once, one that failed waits. */
    private void launchEnded(String name, boolean cameOnline) {
        boolean spare = rt.ledger().launching().get(name) == Ledger.Launch.SPARE;
        rt.ledger().launchEnded(name);
        if (spare && cameOnline) {
            rt.spares().started(TEMPLATE);
        } else if (spare) {
            rt.spares().failed(TEMPLATE);
        }
    }

    private void buildEnded(String name) {
        online.remove(name);
        agents.remove(name);
        ctx.vt().spawn("release-" + name, () -> {
            rt.release(name, "single-use agent finished its build");
            rt.awaitGone(name, Duration.ofMinutes(2), () -> false);
        });
    }

    private void cleanupEveryTenSeconds() throws InterruptedException {
        while (true) {
            if (spares > 0) { // the cleanup's step before the janitor's pass
                launchAll(spareAgents.replenish(ctx.queue().idle(), this::excess, ctx.flavor().name(), this::newName),
                        Ledger.Launch.SPARE);
            }
            if (rt.cleanupDue(Duration.ofSeconds(60))) {
                Map<String, String> withServers = new HashMap<>();
                for (String a : agents) {
                    withServers.put(a, rt.ledger().get(a).map(Ledger.Entry::serverId).orElse(null));
                }
                rt.janitor().pass(withServers, t -> BOOT_TIMEOUT);
            }
            ctx.vt().sleep(Duration.ofSeconds(10));
        }
    }

    @Override
    public int tracked() {
        return rt.ledger().entries().size();
    }
}
