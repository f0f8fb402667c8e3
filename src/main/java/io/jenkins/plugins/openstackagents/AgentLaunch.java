package io.jenkins.plugins.openstackagents;

import hudson.model.Computer;
import hudson.model.Hudson;
import hudson.model.Node;
import io.jenkins.plugins.openstackagents.nova.ComputeException;
import io.jenkins.plugins.openstackagents.nova.Server;
import io.jenkins.plugins.openstackagents.nova.ServerRequest;
import io.jenkins.plugins.openstackagents.pool.CloudRuntime;
import io.jenkins.plugins.openstackagents.pool.Ownership;
import io.jenkins.plugins.openstackagents.pool.UserData;
import java.time.Duration;
import java.time.Instant;
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

    private final OpenStackCloud cloud;
    private final AgentTemplate template;
    private final String name;
    private final boolean fast;

    AgentLaunch(OpenStackCloud cloud, AgentTemplate template, String name, boolean fast) {
        this.fast = fast;
        this.cloud = cloud;
        this.template = template;
        this.name = name;
    }

    String name() {
        return name;
    }

    int executors() {
        return template.getNumExecutors();
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
            cloud.runtime().ledger().launchEnded(name);
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
            if (Hudson.getInstance().getNode(name) == null) { // it came and went, or was deleted meanwhile
                throw new ProvisioningFailure("Agent " + name + " of cloud " + cloud.name
                        + " was removed before its launch ended");
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
                UserData.JENKINS_URL, Provisioning.jenkinsUrl(cloud),
                UserData.AGENT_NAME, name,
                UserData.AGENT_SECRET, InboundSecrets.secret(),
                UserData.AGENT_WORKDIR, template.getRemoteFs());
        Ownership owner = new Ownership(OpenStackCloud.descriptor().controllerId(), cloud.name,
                template.getName(), name);
        return new ServerRequest(name, template.getFlavor(), template.getImage(), template.getNetwork(),
                template.getKeyPair(), template.securityGroupList(), template.getAvailabilityZone(),
                UserData.render(template.getUserData(), vars), owner.toMetadata());
    }
}
