package io.jenkins.plugins.openstackagents;

import hudson.model.Computer;
import hudson.model.Hudson;
import hudson.model.Node;
import io.jenkins.plugins.openstackagents.nova.ComputeException;
import io.jenkins.plugins.openstackagents.nova.Server;
import io.jenkins.plugins.openstackagents.nova.ServerRequest;
import io.jenkins.plugins.openstackagents.pool.CloudRuntime;
import io.jenkins.plugins.openstackagents.pool.Ledger;
import io.jenkins.plugins.openstackagents.pool.Ownership;
import io.jenkins.plugins.openstackagents.pool.UserData;
import io.jenkins.plugins.openstackagents.ssh.SshAccess;
import io.jenkins.plugins.openstackagents.ssh.SshLauncher;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.logging.Logger;

/**
 * One agent started: creates its reserved server, adds the agent to Jenkins, and returns it once the server is
 * ACTIVE and the agent online (NodeProvisioner's planned node, or the fast path's task).
 */
final class AgentLaunch implements Callable<Node> {

    private static final Logger LOGGER = Logger.getLogger(AgentLaunch.class.getName());
    private static final long AGENT_POLL_MS = 250;
    /** SSH attempts: the first pause, doubled after each failed attempt up to {@link #SSH_MAX_PAUSE}. */
    static final Duration SSH_FIRST_PAUSE = Duration.ofSeconds(2);
    static final Duration SSH_MAX_PAUSE = Duration.ofSeconds(30);
    /** What a minute of the template's connect timeout lasts: a minute (tests shorten it). */
    static volatile Duration connectTimeoutMinute = Duration.ofMinutes(1);

    private final OpenStackCloud cloud;
    private final AgentTemplate template;
    private final String name;
    private final boolean fast;
    /** The Jenkins this launch began in is gone: the next one finds the agent saved and its server on Nova. */
    private final java.util.function.BooleanSupplier restarted;

    AgentLaunch(OpenStackCloud cloud, AgentTemplate template, String name, boolean fast) {
        this.fast = fast;
        this.cloud = cloud;
        this.template = template;
        this.name = name;
        this.restarted = new OpenStackCloud.ShuttingDown(Hudson.getInstance());
    }

    String name() {
        return name;
    }

    int executors() {
        return template.executorsPerAgent();
    }

    @Override
    public Node call() throws Exception {
        CloudRuntime rt = cloud.runtime(); // the runtime of the Jenkins this launch began in
        boolean spare = rt.ledger().launching().get(name) == Ledger.Launch.SPARE;
        boolean online = false;
        try {
            Node n = launch();
            online = true;
            return n;
        } catch (ProvisioningFailure e) {
            if (fast) { // nobody reads this future; NodeProvisioner logs its own
                LOGGER.info(e.getMessage());
            }
            throw e;
        } finally {
            rt.ledger().launchEnded(name);
            if (spare && online) {
                rt.spares().started(template.getName());
            } else if (spare && !restarted.getAsBoolean()) { // a restart is not a spare that failed to start
                rt.spares().failed(template.getName());
            }
        }
    }

    private Node launch() throws Exception {
        CloudRuntime rt = cloud.runtime();
        ServerRequest request;
        SshLauncher ssh = null;
        try {
            if (template.isSsh()) {
                SshAccess access;
                try {
                    access = SshAccess.forNewServer(template.getSshUser(), template.getSshPort(),
                            template.getSshPrivateKey());
                } catch (java.io.IOException e) {
                    throw new ProvisioningFailure("Agent " + name + " of cloud " + cloud.name + " not started:"
                            + " template " + template.getName() + "'s SSH private key: " + e.getMessage());
                }
                ssh = access.launcher();
                request = request(access.userDataVariables());
            } else {
                String secret;
                try {
                    secret = InboundSecrets.secret(name);
                } catch (IllegalStateException e) {
                    throw new ProvisioningFailure("Agent " + name + " of cloud " + cloud.name + " not started: "
                            + e.getMessage());
                }
                request = request(Map.of(UserData.AGENT_SECRET, secret));
            }
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
        OpenStackAgent agent = ssh == null ? new OpenStackAgent(name, cloud.name, template, server.id())
                : new OpenStackAgent(name, cloud.name, template, server.id(), ssh);
        agent.setImageId(request.imageId());
        Hudson.getInstance().addNode(agent);
        Server active;
        try {
            active = rt.awaitActive(name, server, Duration.ofMinutes(template.getBootTimeoutMinutes()), () -> {
                Computer c = agent.toComputer();
                return c != null && c.isOnline(); // it runs, so its server is ACTIVE: no need to ask Nova
            });
        } catch (ComputeException | InterruptedException e) {
            leftToTheNextJenkins(); // a restart interrupts the launch: its server is the restarted Jenkins' agent
            Hudson.getInstance().removeNode(agent); // the runtime deleted the server, unless interrupted:
            if (e instanceof InterruptedException) {
                rt.release(name, "provisioning interrupted");
                throw e;
            }
            throw new ProvisioningFailure("Agent " + name + " of cloud " + cloud.name + " not started: "
                    + e.getMessage());
        }
        leftToTheNextJenkins();
        Duration connectTimeout = connectTimeoutMinute.multipliedBy(template.getConnectTimeoutMinutes());
        String address = active.address();
        if (template.usesFloatingIp()) {
            List<String> networks = template.networkIds();
            try {
                address = rt.attachFloatingIp(owner(), server.id(), template.getFloatingIpPool(),
                        networks.isEmpty() ? null : networks.get(0), connectTimeout).address();
            } catch (ComputeException e) {
                giveUp(agent, "no floating IP for its server: " + e.getMessage());
            }
            leftToTheNextJenkins();
        }
        if (ssh == null) {
            LOGGER.info(() -> "Server " + name + " (" + server.id() + ") is ACTIVE; waiting for its agent to connect");
            awaitOnline(agent, connectTimeout);
        } else {
            connectOverSsh(agent, ssh, active, address, connectTimeout);
        }
        return agent;
    }

    /**
     * Connects over SSH until the agent is online: attempts back off from {@link #SSH_FIRST_PAUSE}, doubling, to at
     * most {@link #SSH_MAX_PAUSE}, until the connect timeout; then, or at once when the server presents another host
     * key than its own, the server is deleted (and replaced by the next planning round).
     */
    private void connectOverSsh(OpenStackAgent agent, SshLauncher ssh, Server active, String address,
            Duration timeout) throws Exception {
        if (address == null) {
            giveUp(agent, "Nova reports no address for its server; an SSH agent needs one (give the template a"
                    + " network)");
        }
        agent.setAddress(address);
        LOGGER.info(() -> "Server " + name + " (" + active.id() + ") is ACTIVE at " + address
                + "; connecting over SSH");
        long deadline = System.nanoTime() + timeout.toNanos();
        Duration pause = SSH_FIRST_PAUSE;
        int attempts = 0;
        while (true) {
            leftToTheNextJenkins();
            Computer c = agent.toComputer();
            if (Hudson.getInstance().getNode(name) == null || c == null) {
                throw new ProvisioningFailure("Agent " + name + " of cloud " + cloud.name
                        + " was removed before its launch ended");
            }
            if (!c.isOnline()) {
                attempts++;
                try {
                    c.connect(false).get(); // one attempt; the launcher keeps why it failed
                } catch (java.util.concurrent.ExecutionException e) {
                    LOGGER.fine(() -> "SSH launch of " + name + " failed: " + e.getCause());
                }
            }
            if (c.isOnline()) {
                int n = attempts;
                LOGGER.info(() -> "Agent " + name + " is online over SSH (attempt " + n + ")");
                return;
            }
            if (ssh.hostKeyRefusal() != null) {
                LOGGER.warning(ssh.hostKeyRefusal() + "; deleting the server");
                markForDeletion(c, "host key mismatch");
                throw new ProvisioningFailure("Agent " + name + " of cloud " + cloud.name + ": host key mismatch");
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                giveUp(agent, "agent did not connect within " + template.getConnectTimeoutMinutes()
                        + " min of its server's boot (" + attempts + " SSH attempts; the last: " + ssh.lastFailure()
                        + ")");
            }
            Thread.sleep(Math.min(pause.toMillis(), java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(left) + 1));
            pause = pause.multipliedBy(2).compareTo(SSH_MAX_PAUSE) > 0 ? SSH_MAX_PAUSE : pause.multipliedBy(2);
        }
    }

    /**
     * Ends this launch, touching neither the agent nor its server, when the Jenkins it began in is shutting down or
     * was replaced: the agent is saved, and the restarted Jenkins connects it once its server is ACTIVE
     * ({@link OpenStackCleanupWork}).
     */
    private void leftToTheNextJenkins() throws ProvisioningFailure {
        if (restarted.getAsBoolean()) {
            throw new ProvisioningFailure("Agent " + name + " of cloud " + cloud.name + ": Jenkins restarted during"
                    + " its launch; the restarted Jenkins connects it");
        }
    }

    private void giveUp(OpenStackAgent agent, String why) throws ProvisioningFailure {
        markForDeletion(agent.toComputer(), why);
        throw new ProvisioningFailure("Agent " + name + " of cloud " + cloud.name + ": " + why);
    }

    private static void markForDeletion(Computer c, String why) {
        if (c instanceof OpenStackComputer) {
            ((OpenStackComputer) c).markForDeletion(why);
            OpenStackCleanupWork.trigger();
        }
    }

    private void awaitOnline(OpenStackAgent agent, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            leftToTheNextJenkins();
            Computer c = agent.toComputer();
            if (c != null && c.isOnline()) {
                LOGGER.info(() -> "Agent " + name + " is online");
                return;
            }
            if (Hudson.getInstance().getNode(name) == null) { // it came and went, or was deleted meanwhile
                throw new ProvisioningFailure("Agent " + name + " of cloud " + cloud.name
                        + " was removed before its launch ended");
            }
            if (System.nanoTime() - deadline >= 0) {
                giveUp(agent, "agent did not connect within " + template.getConnectTimeoutMinutes()
                        + " min of its server's boot");
            }
            Thread.sleep(AGENT_POLL_MS);
        }
    }

    /** The server to create, its user data rendered with {@code launchVars} (secrets: never logged). */
    private ServerRequest request(Map<String, String> launchVars) throws ProvisioningFailure {
        Map<String, String> vars = new java.util.HashMap<>(launchVars);
        vars.put(UserData.JENKINS_URL, Provisioning.jenkinsUrl(cloud));
        vars.put(UserData.AGENT_NAME, name);
        vars.put(UserData.AGENT_WORKDIR, template.getRemoteFs());
        String image;
        try {
            image = cloud.runtime().snapshots().imageId(template.getImage());
        } catch (ComputeException e) {
            throw new ProvisioningFailure("Agent " + name + " of cloud " + cloud.name + " not started: the image"
                    + " of template " + template.getName() + " could not be looked up: " + e.getMessage());
        }
        return new ServerRequest(name, template.getFlavor(), image, template.networkIds(),
                template.getKeyPair(), template.securityGroupList(), template.getAvailabilityZone(),
                UserData.render(template.effectiveUserData(), vars), owner().toMetadata());
    }

    /** Who the server and its floating IP belong to. */
    private Ownership owner() {
        return new Ownership(OpenStackCloud.descriptor().controllerId(), cloud.name, template.getName(), name);
    }
}
