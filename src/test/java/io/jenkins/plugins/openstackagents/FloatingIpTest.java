package io.jenkins.plugins.openstackagents;

import hudson.model.FreeStyleBuild;
import hudson.model.FreeStyleProject;
import hudson.tasks.Shell;
import io.jenkins.plugins.openstackagents.nova.InMemoryCompute;
import io.jenkins.plugins.openstackagents.nova.Network;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Agents on two networks reached over SSH at a floating IP (the in-memory Nova and Neutron; the guest's SSH daemon
 * listens on the floating address once it is associated): nothing of theirs is left afterwards, and Neutron's
 * floating IP quota holds builds back instead of refusing an allocation.
 */
public class FloatingIpTest extends OpenStackTestCase {

    private AgentTemplate floating(String labels, int instanceCap) throws Exception {
        return new AgentTemplate("fip", labels, "1", "img-1", "net-1", "", "default", "", "", 1,
                createTmpDir().getAbsolutePath(), instanceCap, 0, 10, 5, 0, AgentTemplate.SSH, "", 0, null, 0, 0,
                java.util.List.of(new AgentNetwork("net-2")), "ext-1");
    }

    public void testABuildOnTwoNetworksOverSshThroughAFloatingIpLeavesNothing() throws Exception {
        compute.addNetwork(new Network("net-2", "second"));
        hudson.clouds.add(cloud("os", getURL().toString(), floating("fip", 0)));
        FreeStyleProject p = createFreeStyleProject("through-fip");
        p.setAssignedLabel(hudson.getLabel("fip"));
        p.getBuildersList().add(new Shell("echo built on $NODE_NAME"));
        AgentSeen seen = seeAgent(p);

        FreeStyleBuild b = assertBuildStatusSuccess(p.scheduleBuild2(0).get(120, TimeUnit.SECONDS));
        OpenStackAgent agent = seen.agent();
        assertLogContains("built on " + agent.getNodeName(), b);
        assertTrue("connected over the floating address: " + agent.sshAddress(),
                agent.sshAddress().startsWith("127.20."));
        assertEquals(1, compute.calls(InMemoryCompute.Op.ALLOCATE_FLOATING_IP));
        assertEquals(1, compute.calls(InMemoryCompute.Op.ASSOCIATE_FLOATING_IP));

        long deadline = System.currentTimeMillis() + 30_000;
        while ((!compute.servers().isEmpty() || !compute.allFloatingIps().isEmpty())
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertTrue("servers left: " + compute.servers(), compute.servers().isEmpty());
        assertTrue("ports left: " + compute.allPorts(), compute.allPorts().isEmpty());
        assertTrue("floating IPs left: " + compute.allFloatingIps(), compute.allFloatingIps().isEmpty());
        assertEquals(1, compute.calls(InMemoryCompute.Op.RELEASE_FLOATING_IP));
    }

    public void testAFloatingIpQuotaOfTwoHoldsTheThirdBuildBackWithoutARefusal() throws Exception {
        compute.addNetwork(new Network("net-2", "second"));
        compute.quota(3, -1, -1).neutronQuota(2, -1);
        hudson.clouds.add(cloud("os", getURL().toString(), floating("fip", 0)));
        List<Future<FreeStyleBuild>> builds = queueBuilds("fip", "quota", 3, "sleep 2");
        int most = 0;
        long deadline = System.currentTimeMillis() + 120_000;
        while (builds.stream().anyMatch(f -> !f.isDone()) && System.currentTimeMillis() < deadline) {
            most = Math.max(most, compute.allFloatingIps().size());
            Thread.sleep(20);
        }
        for (Future<FreeStyleBuild> f : builds) {
            assertBuildStatusSuccess(f.get(1, TimeUnit.SECONDS));
        }
        assertEquals("never a refused allocation", 0, compute.refusedFloatingIps());
        assertTrue("at most 2 floating IPs at once: " + most, most <= 2);
        assertEquals("three servers, one per build", 3, compute.calls(InMemoryCompute.Op.CREATE));
    }
}
