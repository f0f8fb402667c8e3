package io.jenkins.plugins.openstackagents;

import hudson.Extension;
import hudson.model.AsyncPeriodicWork;
import hudson.model.Computer;
import hudson.model.Executor;
import hudson.model.Hudson;
import hudson.model.PeriodicWork;
import hudson.model.Queue;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.slaves.Cloud;
import io.jenkins.plugins.openstackagents.nova.ComputeException;
import io.jenkins.plugins.openstackagents.nova.Server;
import io.jenkins.plugins.openstackagents.pool.CloudRuntime;
import io.jenkins.plugins.openstackagents.ssh.SshLauncher;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The one place that deletes servers. Each run is a list of named steps; each item is handled on its own, so one
 * bad server never stops the rest. The Jenkins-side steps cost no API call; the cloud side ({@code Janitor})
 * costs one list call per cloud and cleanup interval.
 */
@Extension
public class OpenStackCleanupWork extends AsyncPeriodicWork {

    private static final Logger LOGGER = Logger.getLogger(OpenStackCleanupWork.class.getName());

    public OpenStackCleanupWork() {
        super("OpenStack Agents cleanup");
    }

    @Override
    public long getRecurrencePeriod() {
        return TimeUnit.SECONDS.toMillis(10);
    }

    /** Runs the cleanup now (asynchronously), e.g. when a single-use build has finished. */
    static void trigger() {
        OpenStackCleanupWork w = PeriodicWork.all().get(OpenStackCleanupWork.class);
        if (w != null) {
            w.doRun();
        }
    }

    /** Passes running now: Hudson 1.395's {@code doRun} checks for a running one without a lock, so two can run. */
    private static final java.util.concurrent.atomic.AtomicInteger RUNNING =
            new java.util.concurrent.atomic.AtomicInteger();

    /** Whether a pass is running (a test waits for none before its Hudson goes). */
    static boolean running() {
        return RUNNING.get() > 0;
    }

    @Override
    protected void execute(TaskListener listener) {
        RUNNING.incrementAndGet();
        try {
            for (Cloud c : Hudson.getInstance().clouds) {
                if (c instanceof OpenStackCloud) {
                    step("cloud " + c.name, () -> clean((OpenStackCloud) c));
                }
            }
        } finally {
            RUNNING.decrementAndGet();
        }
    }

    private void clean(OpenStackCloud cloud) {
        List<OpenStackComputer> computers = computers(cloud);
        for (OpenStackComputer c : computers) {
            step("stuck build check of " + c.getName(), () -> abortStuckBuild(c));
            step("connection check of " + c.getName(), () -> markDisconnected(c));
            step("reconnection of " + c.getName(), () -> reconnect(cloud, c));
        }
        for (OpenStackComputer c : computers) {
            step("deletion of " + c.getName(), () -> deleteIfMarked(c));
        }
        step("spare agents of cloud " + cloud.name, () -> SpareAgents.replenish(cloud));
        CloudRuntime rt = cloud.runtime();
        if (rt.cleanupDue(Duration.ofSeconds(cloud.getCleanupIntervalSeconds()))) {
            Map<String, String> agents = new HashMap<>();
            Map<String, OpenStackAgent> nodes = new HashMap<>();
            for (OpenStackComputer c : computers(cloud)) {
                OpenStackAgent agent = c.getNode();
                if (agent != null) {
                    agents.put(agent.getNodeName(), agent.getServerId());
                    nodes.put(agent.getNodeName(), agent);
                }
            }
            rt.janitor().pass(agents, t -> bootTimeout(cloud, t)).ifPresent(report -> {
                for (String gone : report.vanishedAgents()) {
                    step("removal of " + gone, () -> removeVanished(nodes.get(gone)));
                }
            });
        }
    }

    /** A build past its template's maximum build time: aborted, with the reason in its log; then the agent goes. */
    private void abortStuckBuild(OpenStackComputer c) throws IOException {
        OpenStackAgent agent = c.getNode();
        if (agent == null || agent.getMaxBuildMinutes() <= 0) {
            return;
        }
        long max = TimeUnit.MINUTES.toMillis(agent.getMaxBuildMinutes());
        for (Executor e : c.getExecutors()) {
            Queue.Executable x = e.getCurrentExecutable();
            if (!e.isBusy() || x == null || e.getElapsedTime() <= max) {
                continue;
            }
            String why = "build " + x + " exceeded the maximum build time of " + agent.getMaxBuildMinutes() + " min";
            if (x instanceof Run) {
                try (OutputStream log = new FileOutputStream(((Run<?, ?>) x).getLogFile(), true)) {
                    log.write(("OpenStack Agents: aborting this build: it has run longer than the maximum build time of "
                            + agent.getMaxBuildMinutes() + " min set for template " + agent.getTemplateName()
                            + "; agent " + agent.getNodeName() + " will be deleted.\n").getBytes(StandardCharsets.UTF_8));
                }
            }
            LOGGER.info("Aborting " + x + " on agent " + agent.getNodeName() + ": " + why);
            c.markForDeletion(why);
            e.interrupt();
        }
    }

    /** An agent not connected for longer than its connect timeout (never came up, or lost after a restart). */
    private void markDisconnected(OpenStackComputer c) {
        OpenStackAgent agent = c.getNode();
        if (agent == null) {
            return;
        }
        if (c.getDeletionReason() != null || Provisioning.launching().contains(agent.getNodeName())) {
            return;
        }
        long now = System.currentTimeMillis();
        c.observe(now);
        long timeout = TimeUnit.MINUTES.toMillis(agent.getConnectTimeoutMinutes());
        if (c.disconnectedFor(now) > timeout) {
            c.markForDeletion("agent not connected for " + agent.getConnectTimeoutMinutes() + " min (connect timeout)");
        }
    }

    /**
     * An SSH agent offline that no launch and no connection attempt is bringing up: after a restart (a launch the
     * restart cut short saved no address) or a dropped connection. Once Nova reports its server ACTIVE (from the
     * shared server list, at most {@link #RELIST} old), its address is saved and it is connected: one attempt per
     * pass, until its connect timeout marks it. Not an agent a person took offline, one marked for deletion, or one
     * whose server presented another host key.
     */
    private void reconnect(OpenStackCloud cloud, OpenStackComputer c) throws ComputeException {
        OpenStackAgent agent = c.getNode();
        SshLauncher ssh = agent == null ? null : agent.sshLauncher();
        if (ssh == null || c.getChannel() != null || c.isConnecting() || c.isTemporarilyOffline()
                || c.getDeletionReason() != null || ssh.hostKeyRefusal() != null
                || Provisioning.launching().contains(agent.getNodeName())) {
            return;
        }
        if (agent.sshAddress() == null) {
            Server s = cloud.runtime().snapshots().servers(Instant.now().minus(RELIST)).byId()
                    .get(agent.getServerId());
            if (s == null || s.status() != Server.Status.ACTIVE || s.address() == null) {
                return;
            }
            // its floating IP, when the cleanup found one associated with it (a restart after the association)
            String address = cloud.runtime().floatingAddressOf(agent.getNodeName()).orElse(s.address());
            agent.setAddress(address);
            LOGGER.info("Server " + agent.getNodeName() + " (" + s.id() + ") is ACTIVE at " + address
                    + "; its launch ended with a restart of Jenkins: connecting over SSH");
        }
        c.connect(false);
    }

    /** How old the server list may be that gives a reconnected agent its address. */
    static final Duration RELIST = Duration.ofSeconds(10);

    /** Agents marked for deletion (used, idle, stuck, disconnected) once no build runs on them. */
    private void deleteIfMarked(OpenStackComputer c) throws Exception {
        OpenStackAgent agent = c.getNode();
        if (agent != null && c.getDeletionReason() != null && c.isIdle()) {
            agent.terminate();
        }
    }

    /** An agent whose server Nova no longer has: nothing to run on, removed from Jenkins. */
    private void removeVanished(OpenStackAgent agent) throws IOException {
        LOGGER.info("Removing agent " + agent.getNodeName() + ": its server " + agent.getServerId()
                + " is gone from cloud " + agent.getCloudName());
        Hudson.getInstance().removeNode(agent);
    }

    private static Duration bootTimeout(OpenStackCloud cloud, String template) {
        AgentTemplate t = cloud.getTemplate(template);
        return t == null ? null : Duration.ofMinutes(t.getBootTimeoutMinutes());
    }

    private static List<OpenStackComputer> computers(OpenStackCloud cloud) {
        List<OpenStackComputer> r = new ArrayList<>();
        for (Computer c : Hudson.getInstance().getComputers()) {
            if (c instanceof OpenStackComputer && ((OpenStackComputer) c).getNode() != null
                    && cloud.name.equals(((OpenStackComputer) c).getNode().getCloudName())) {
                r.add((OpenStackComputer) c);
            }
        }
        return r;
    }

    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    /** One item of one step: its failure is logged and never stops the others. */
    private static void step(String what, Step s) {
        try {
            s.run();
        } catch (Exception e) {
            LOGGER.warning("Cleanup: " + what + " failed: " + e);
        }
    }
}
