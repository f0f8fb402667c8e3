package io.jenkins.plugins.openstackagents;

import hudson.model.Computer;
import hudson.model.Hudson;
import hudson.model.Label;
import hudson.model.Node;
import hudson.model.Queue;
import hudson.slaves.Cloud;
import hudson.slaves.NodeProvisioner.PlannedNode;
import io.jenkins.plugins.openstackagents.nova.ComputeException;
import io.jenkins.plugins.openstackagents.nova.Server;
import io.jenkins.plugins.openstackagents.nova.ServerRequest;
import io.jenkins.plugins.openstackagents.pool.CloudRuntime;
import io.jenkins.plugins.openstackagents.pool.Ownership;
import io.jenkins.plugins.openstackagents.pool.Planner;
import io.jenkins.plugins.openstackagents.pool.Quota;
import io.jenkins.plugins.openstackagents.pool.UserData;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.logging.Logger;

/** Turns NodeProvisioner's demand into planned agents, as far as the caps and the quota allow. */
final class Provisioning {

    private static final Logger LOGGER = Logger.getLogger(Provisioning.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long AGENT_POLL_MS = 250;
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

    private Provisioning() {
    }

    /**
     * NodeProvisioner's round: its excess workload already discounts the agents it is waiting for, not those
     * {@link FastProvisioner} started nor agents reconnecting; those are discounted here, and the result is capped by
     * the builds actually waiting.
     */
    static Collection<PlannedNode> provision(OpenStackCloud cloud, Label label, int excessWorkload) {
        Launches launches = OpenStackCloud.descriptor().launches();
        List<Launch> started;
        synchronized (launches) {
            int reconnecting = reconnecting(label, launches);
            int excess = excessWorkload - launches.executors(label, true) - reconnecting;
            // NodeProvisioner's workload is an average that lags the queue (after a wait at quota it stays high
            // for a while): never more than the builds waiting now that nothing on its way will take
            excess = Math.min(excess, waitingBuilds().getOrDefault(label, 0) - label.getIdleExecutors()
                    - launches.executors(label, false) - reconnecting);
            started = plan(cloud, label, excess, false);
        }
        List<PlannedNode> planned = new ArrayList<>();
        for (Launch launch : started) {
            planned.add(new PlannedNode(launch.name, Computer.threadPoolForRemoting.submit(launch),
                    launch.template.getNumExecutors()));
        }
        return planned;
    }

    /**
     * Starts agents at once, outside NodeProvisioner, for the builds of a label that neither an idle executor nor
     * an agent on its way (from either path) will take. Decided under the same lock as {@link #provision}.
     */
    static void startNow(Label label, int waitingBuilds) {
        Launches launches = OpenStackCloud.descriptor().launches();
        List<Launch> started = new ArrayList<>();
        synchronized (launches) {
            int excess = waitingBuilds - label.getIdleExecutors() - launches.executors(label, false)
                    - reconnecting(label, launches);
            for (Cloud c : Hudson.getInstance().clouds) {
                if (excess > 0 && c instanceof OpenStackCloud && c.canProvision(label)) {
                    for (Launch launch : plan((OpenStackCloud) c, label, excess, true)) {
                        started.add(launch);
                        excess -= launch.template.getNumExecutors();
                    }
                }
            }
        }
        for (Launch launch : started) {
            Computer.threadPoolForRemoting.submit(launch);
        }
    }

    /** Builds in the queue, ready to run, by the label they ask for (builds asking for none are left out). */
    static Map<Label, Integer> waitingBuilds() {
        Map<Label, Integer> waiting = new HashMap<>();
        for (Queue.BuildableItem item : Hudson.getInstance().getQueue().getBuildableItems()) {
            Label label = item.task.getAssignedLabel();
            if (label != null) {
                waiting.merge(label, 1, Integer::sum);
            }
        }
        return waiting;
    }

    /**
     * Executors of agents expected to connect that no launch watches: agents of a previous Jenkins run (their
     * servers booted or booting when it stopped) and agents whose connection dropped. Not those an administrator
     * took offline, those marked for deletion, nor a single-use agent that already ran its build. One that never
     * connects is deleted by the cleanup after its connect timeout, and then no longer counted.
     */
    static int reconnecting(Label label, Launches launches) {
        if (label == null) {
            return 0;
        }
        java.util.Set<String> launching = launches.names();
        int n = 0;
        for (Node node : Hudson.getInstance().getNodes()) {
            if (!(node instanceof OpenStackAgent) || launching.contains(node.getNodeName()) || !label.matches(node)) {
                continue;
            }
            OpenStackAgent agent = (OpenStackAgent) node;
            Computer c = agent.toComputer();
            if (c instanceof OpenStackComputer && c.getChannel() == null && !c.isTemporarilyOffline()
                    && ((OpenStackComputer) c).getDeletionReason() == null
                    && !(agent.isSingleUse() && ((OpenStackComputer) c).isUsed())) {
                n += agent.getNumExecutors();
            }
        }
        return n;
    }

    /** Reserves servers for {@code excess} executors of demand, as far as the caps and the quota allow. */
    private static List<Launch> plan(OpenStackCloud cloud, Label label, int excess, boolean fast) {
        List<Launch> launches = new ArrayList<>();
        if (excess <= 0) {
            return launches;
        }
        TemplateProblems problems = OpenStackCloud.descriptor().problems();
        try {
            jenkinsUrl(cloud);
            problems.planning(cloud.name, null, null);
        } catch (ProvisioningFailure e) { // a configuration problem: say it once, ask nothing of the cloud
            if (problems.planning(cloud.name, null, e.getMessage())) {
                LOGGER.warning(e.getMessage());
            }
            return launches;
        }
        CloudRuntime rt = cloud.runtime();
        for (AgentTemplate t : cloud.getTemplates()) {
            if (excess <= 0 || !t.matches(label)) {
                continue;
            }
            int allowed = problems.allowed(cloud.name, t, Instant.now());
            if (allowed == 0) {
                LOGGER.fine(() -> "Cloud " + cloud.name + ": template " + t.getName() + " waits after Nova refused it");
                continue;
            }
            try {
                Quota perServer = Quota.of(rt.flavor(t.getFlavor()));
                int wanted = Math.min(allowed, (excess + t.getNumExecutors() - 1) / t.getNumExecutors());
                Planner.Plan plan = rt.plan(new Planner.Request(t.getName(), perServer, wanted, t.getInstanceCap()),
                        cloud.getInstanceCap(), () -> newName(cloud, t));
                for (String name : plan.reserved()) {
                    launches.add(new Launch(cloud, t, name, fast));
                    excess -= t.getNumExecutors();
                }
                if (!plan.isEmpty()) {
                    LOGGER.info(() -> "Cloud " + cloud.name + " starts " + plan.reserved().size() + " agent(s) of template "
                            + t.getName() + " for " + label + " (wanted " + wanted + ")");
                }
                problems.planning(cloud.name, t, null);
            } catch (ComputeException e) {
                // the gate already said when the cloud itself fails; a broken template is said once
                if (e.is(ComputeException.Kind.PERMANENT) && problems.planning(cloud.name, t, e.getMessage())) {
                    LOGGER.warning(() -> "Cloud " + cloud.name + " cannot start agents of template " + t.getName()
                            + ": " + e.getMessage());
                } else {
                    LOGGER.fine(() -> "Cloud " + cloud.name + " cannot provision template " + t.getName() + " now: "
                            + e.getMessage());
                }
            }
        }
        return launches;
    }

    static String newName(OpenStackCloud cloud, AgentTemplate t) {
        StringBuilder sb = new StringBuilder(cloud.name).append('-').append(t.getName()).append('-');
        for (int i = 0; i < 6; i++) {
            sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return sb.toString().toLowerCase(Locale.ROOT);
    }

    /** The URL agents dial back to: the cloud's override, else Jenkins' own. */
    static String jenkinsUrl(OpenStackCloud cloud) throws ProvisioningFailure {
        String url = cloud.getJenkinsUrl() != null ? cloud.getJenkinsUrl() : Hudson.getInstance().getRootUrl();
        if (url == null) {
            throw new ProvisioningFailure("Jenkins does not know its own URL: set it in the system configuration or"
                    + " set 'Jenkins URL for agents' in cloud " + cloud.name);
        }
        return url.endsWith("/") ? url : url + "/";
    }

    /** Creates one server and returns its agent once the server is ACTIVE. */
    static final class Launch implements Callable<Node> {
        private final OpenStackCloud cloud;
        private final AgentTemplate template;
        private final String name;
        private final boolean fast;

        Launch(OpenStackCloud cloud, AgentTemplate template, String name, boolean fast) {
            this.fast = fast;
            this.cloud = cloud;
            this.template = template;
            this.name = name;
            OpenStackCloud.descriptor().launches().started(name, template, fast);
        }

        @Override
        public Node call() throws Exception {
            try {
                return launch();
            } catch (ProvisioningFailure e) {
                if (fast) { // nobody reads this future; NodeProvisioner logs its own
                    LOGGER.info(e.getMessage());
                }
                throw e;
            } finally {
                OpenStackCloud.descriptor().launches().ended(name);
            }
        }

        private Node launch() throws Exception {
            CloudRuntime rt = cloud.runtime();
            ServerRequest request;
            try {
                request = request();
            } catch (ProvisioningFailure e) {
                rt.cancel(name);
                throw e;
            }
            Server server;
            TemplateProblems problems = OpenStackCloud.descriptor().problems();
            try {
                server = rt.create(name, request);
            } catch (ComputeException e) {
                // a request Nova refuses as such (an image that does not exist) would be refused again: said once,
                // and tried again by one create after a while
                if (e.is(ComputeException.Kind.BAD_REQUEST)
                        && problems.refused(cloud.name, template, e.getReason(), Instant.now())) {
                    LOGGER.warning(() -> "Cloud " + cloud.name + " cannot start agents of template "
                            + template.getName() + ": " + e.getReason() + " One create tries again in "
                            + TemplateProblems.RETRY.toMinutes() + " min, or when the template changes.");
                }
                throw new ProvisioningFailure("Agent " + name + " of cloud " + cloud.name + " not started: "
                        + e.getMessage());
            }
            problems.created(cloud.name, template);
            // Added now, not when this future ends, so that the agent can connect as soon as the server has
            // booted; the future ends once it has, and until then NodeProvisioner counts it as planned capacity.
            OpenStackAgent agent = new OpenStackAgent(name, cloud.name, template, server.id());
            Hudson.getInstance().addNode(agent);
            try {
                rt.awaitActive(name, server, Duration.ofMinutes(template.getBootTimeoutMinutes()), () -> {
                    Computer c = agent.toComputer();
                    return c != null && c.isOnline(); // it runs, so its server is ACTIVE: no need to ask Nova
                });
            } catch (ComputeException | InterruptedException e) {
                Hudson.getInstance().removeNode(agent); // the runtime deleted the server, unless interrupted:
                if (e instanceof InterruptedException) {
                    rt.release(name, "provisioning interrupted");
                    throw e;
                }
                throw new ProvisioningFailure("Agent " + name + " of cloud " + cloud.name + " not started: "
                        + e.getMessage());
            }
            LOGGER.info(() -> "Server " + name + " (" + server.id() + ") is ACTIVE; waiting for its agent to connect");
            awaitOnline(agent, Duration.ofMinutes(template.getConnectTimeoutMinutes()));
            return agent;
        }

        private void awaitOnline(OpenStackAgent agent, Duration timeout) throws Exception {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                Computer c = agent.toComputer();
                if (c != null && c.isOnline()) {
                    LOGGER.info(() -> "Agent " + name + " is online");
                    return;
                }
                if (System.nanoTime() - deadline >= 0) {
                    String why = "agent did not connect within " + timeout.toMinutes() + " min of its server's boot";
                    if (c instanceof OpenStackComputer) {
                        ((OpenStackComputer) c).markForDeletion(why);
                        OpenStackCleanupWork.trigger();
                    }
                    throw new ProvisioningFailure("Agent " + name + " of cloud " + cloud.name + ": " + why);
                }
                Thread.sleep(AGENT_POLL_MS);
            }
        }

        private ServerRequest request() throws ProvisioningFailure {
            Map<String, String> vars = Map.of(
                    UserData.JENKINS_URL, jenkinsUrl(cloud),
                    UserData.AGENT_NAME, name,
                    UserData.AGENT_SECRET, InboundSecrets.secretFor(name),
                    UserData.AGENT_WORKDIR, template.getRemoteFs());
            Ownership owner = new Ownership(OpenStackCloud.descriptor().controllerId(), cloud.name,
                    template.getName(), name);
            return new ServerRequest(name, template.getFlavor(), template.getImage(), template.getNetwork(),
                    template.getKeyPair(), template.securityGroupList(), template.getAvailabilityZone(),
                    UserData.render(template.getUserData(), vars), owner.toMetadata());
        }
    }
}
