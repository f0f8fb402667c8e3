package io.jenkins.plugins.openstackagents;

import hudson.model.FreeStyleBuild;
import hudson.model.FreeStyleProject;
import hudson.tasks.Shell;
import io.jenkins.plugins.openstackagents.nova.InMemoryCompute;
import io.jenkins.plugins.openstackagents.pool.Ownership;
import java.io.File;
import java.util.concurrent.TimeUnit;

/**
 * A labelled build runs on an agent the cloud provisions: the in-memory Nova plays the cloud, and a real agent
 * process, started from the server's user data, connects inbound with the secret it carries.
 */
public class EndToEndTest extends OpenStackTestCase {

    public void testLabelledBuildRunsOnProvisionedAgentAndSingleUseServerIsDeleted() throws Exception {
        File agentRoot = createTmpDir();
        OpenStackCloud cloud = cloud("os", getURL().toString(),
                template("linux", "openstack linux", 0, agentRoot.getAbsolutePath()));
        hudson.clouds.add(cloud);

        FreeStyleProject p = createFreeStyleProject("labelled");
        p.setAssignedLabel(hudson.getLabel("openstack"));
        p.getBuildersList().add(new Shell("echo built on $NODE_NAME"));
        AgentSeen seen = seeAgent(p);

        long queued = System.currentTimeMillis();
        FreeStyleBuild b = assertBuildStatusSuccess(p.scheduleBuild2(0).get(120, TimeUnit.SECONDS));
        long built = System.currentTimeMillis() - queued;
        System.out.println("TIMING queue to finished build: " + built + " ms");

        OpenStackAgent agent = seen.agent();
        assertLogContains("built on " + agent.getNodeName(), b);
        assertEquals(1, compute.calls(InMemoryCompute.Op.CREATE));
        assertEquals(0, compute.refusedCreates());

        // the server carried its ownership, and the user data the agent's name and Jenkins' URL
        String userData = compute.userData(agent.getServerId());
        assertTrue(userData.contains(agent.getNodeName()));
        assertTrue(userData.contains(getURL().toString()));
        assertEquals("os", compute.servers().get(0).metadata().get(Ownership.KEY_CLOUD));
        assertEquals(agent.getNodeName(), compute.servers().get(0).metadata().get(Ownership.KEY_AGENT));

        // single use: the server is deleted and the agent removed soon after the build
        long deadline = System.currentTimeMillis() + 30_000;
        while (compute.find(agent.getServerId()).isPresent() && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        System.out.println("TIMING build end to server gone: " + (System.currentTimeMillis() - queued - built) + " ms");
        assertFalse("server still on Nova: " + compute.servers(), compute.find(agent.getServerId()).isPresent());
        assertNull("agent still in Jenkins", hudson.getNode(agent.getNodeName()));
        assertEquals(1, compute.calls(InMemoryCompute.Op.DELETE));
        assertEquals("agent process ended with its server", 0, guests.running());

        // the next cleanup pass sees Nova's 404 and stops counting the server against quota
        while (!cloud.runtime().ledger().entries().isEmpty() && System.currentTimeMillis() < deadline) {
            OpenStackCleanupWork.trigger();
            Thread.sleep(200);
        }
        assertEquals(java.util.List.of(), cloud.runtime().ledger().entries());
    }
}
