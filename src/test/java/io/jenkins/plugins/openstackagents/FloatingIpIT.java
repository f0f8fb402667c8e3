package io.jenkins.plugins.openstackagents;

import hudson.model.FreeStyleBuild;
import hudson.model.FreeStyleProject;
import hudson.tasks.Shell;
import io.jenkins.plugins.openstackagents.browser.OpenStackApi;
import io.jenkins.plugins.openstackagents.nova.FloatingIp;
import io.jenkins.plugins.openstackagents.pool.Ownership;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Agents on two networks of the real Neutron, reached over SSH at a floating IP of the rig's external network
 * (127.20.0.0/16, routed to agents-net): nothing of theirs is left; Neutron's floating IP quota holds builds back
 * without a refused allocation; a leaked floating IP is released, another's never.
 */
public class FloatingIpIT extends LiveOpenStackTestCase {

    private String prefix() {
        return Ownership.descriptionPrefix(OpenStackCloud.descriptor().controllerId(), "lite");
    }

    private OpenStackApi api;

    @Override
    protected void setUp() throws Exception {
        super.setUp();
        api = new OpenStackApi(os);
    }

    private AgentTemplate floating(String labels, String secondNetwork, int idleMinutes) throws Exception {
        return new AgentTemplate("fip", labels, os.flavorSmall(), os.imageId(), os.networkId(), "", "", "",
                "", 1, createTmpDir().getAbsolutePath(), 0, idleMinutes, 5, 2, 0, AgentTemplate.SSH, "", 0, null, 0, 0,
                secondNetwork == null ? null : java.util.List.of(new AgentNetwork(secondNetwork)), os.externalNetworkId());
    }

    @Override
    protected void tearDown() throws Exception {
        try {
            for (FloatingIp f : nova.floatingIps(Ownership.descriptionPrefix(
                    OpenStackCloud.descriptor().controllerId(), ""))) {
                nova.releaseFloatingIp(f.id()); // a failed test leaves none of this controller's to the next
            }
        } finally {
            super.tearDown();
        }
    }

    public void testABuildOnTwoNetworksOverSshThroughAFloatingIpLeavesNothing() throws Exception {
        String second = api.createProjectNetwork("agents-net-2", "physnet2", "127.12.0.0/16");
        try {
            aBuildOnTwoNetworks(second);
        } finally {
            deleteOurServers(); // its port goes with the server
            api.deleteNetwork(second);
        }
    }

    private void aBuildOnTwoNetworks(String second) throws Exception {
        OpenStackCloud cloud = liveCloud("lite", floating("fip", second, 10));
        hudson.clouds.add(cloud);
        FreeStyleProject p = createFreeStyleProject("through-fip");
        p.setAssignedLabel(hudson.getLabel("fip"));
        p.getBuildersList().add(new Shell("echo built on $NODE_NAME"));
        AgentSeen seen = seeAgent(p);
        long queued = System.currentTimeMillis();
        java.time.Instant from = java.time.Instant.now();
        FreeStyleBuild b = assertBuildStatusSuccess(p.scheduleBuild2(0).get(180, TimeUnit.SECONDS));
        java.time.Instant to = java.time.Instant.now();
        System.out.println("TIMING real Neutron, two networks and a floating IP: queue to finished build "
                + (System.currentTimeMillis() - queued) + " ms");
        OpenStackAgent agent = seen.agent();
        assertLogContains("built on " + agent.getNodeName(), b);
        assertTrue("connected at the floating address: " + agent.sshAddress(), agent.sshAddress().startsWith("127.20."));
        List<String> networks = nova.ports(agent.getServerId()).stream()
                .map(io.jenkins.plugins.openstackagents.nova.Port::networkId).sorted().toList();
        assertEquals("a port on each network", java.util.stream.Stream.of(os.networkId(), second).sorted().toList(),
                networks);

        ((OpenStackComputer) agent.toComputer()).markForDeletion("the test is done with it");
        OpenStackCleanupWork.trigger();
        awaitGone(agent.getServerId(), 60_000);
        long deadline = System.currentTimeMillis() + 30_000;
        while (!nova.floatingIps(prefix()).isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
        }
        assertEquals("floating IPs of this controller left", List.of(), nova.floatingIps(prefix()));
        assertEquals("ports of the server left", List.of(), nova.ports(agent.getServerId()));
        // the project's requests in Neutron's own log while the build was queued and ran: the plugin's alone (the
        // emulator asks as the admin, Nova as its service user, and the test asked nothing meanwhile)
        System.out.println("NEUTRON-REQUESTS queue to finished build, in Neutron's log: "
                + neutronRequests(from, to) + "; the plugin's calls through its gate for the whole build: "
                + cloud.runtime().stats().snapshot());
    }

    /** Requests of the jenkins project Neutron's log ({@code neutron.wsgi} lines) has between the two instants. */
    private long neutronRequests(java.time.Instant from, java.time.Instant to) throws Exception {
        java.time.format.DateTimeFormatter at = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")
                .withZone(java.time.ZoneId.systemDefault());
        String a = at.format(from);
        String z = at.format(to.plusSeconds(1));
        try (java.util.stream.Stream<String> lines = java.nio.file.Files.lines(os.neutronLog())) {
            return lines.filter(l -> l.contains("neutron.wsgi") && l.contains(" " + os.projectId() + " ")
                    && l.length() > 23 && l.substring(0, 23).compareTo(a) >= 0 && l.substring(0, 23).compareTo(z) < 0)
                    .peek(l -> System.out.println("NEUTRON-LOG " + l.replaceFirst("^.*127\\.0\\.0\\.1 ", "")))
                    .count();
        }
    }

    public void testAFloatingIpQuotaOfTwoWithAServerQuotaOfThreeHoldsTheThirdBuildBack() throws Exception {
        api.setFloatingIpQuota(2);
        try {
            OpenStackCloud cloud = liveCloud("lite", floating("fip", "", 0));
            hudson.clouds.add(cloud);
            List<Future<FreeStyleBuild>> builds = queueBuilds("fip", "quota", 3, "sleep 3");
            int most = 0;
            long deadline = System.currentTimeMillis() + 300_000;
            while (builds.stream().anyMatch(f -> !f.isDone()) && System.currentTimeMillis() < deadline) {
                most = Math.max(most, nova.floatingIps(prefix()).size());
                Thread.sleep(250);
            }
            for (Future<FreeStyleBuild> f : builds) {
                assertBuildStatusSuccess(f.get(1, TimeUnit.SECONDS));
            }
            assertEquals("refused allocations", 0, cloud.runtime().stats().count("allocate-floating-ip",
                    "QUOTA_EXCEEDED"));
            assertTrue("at most 2 floating IPs at once: " + most, most <= 2);
            assertEquals("one server per build", 3, cloud.runtime().stats().count("create", "ok"));
        } finally {
            api.setFloatingIpQuota(-1);
        }
    }

    public void testALeakedFloatingIpIsReleasedAndAnotherOneIsNot() throws Exception {
        OpenStackCloud cloud = liveCloud("lite", floating("fip", "", 0));
        hudson.clouds.add(cloud);
        String ext = os.externalNetworkId();
        FloatingIp leaked = nova.allocateFloatingIp(ext, new Ownership(OpenStackCloud.descriptor().controllerId(),
                "lite", "fip", "lite-fip-crashed").toDescription());
        FloatingIp byHand = nova.allocateFloatingIp(ext, "made by hand");
        FloatingIp otherJenkins = nova.allocateFloatingIp(ext, new Ownership("another-controller", "lite", "fip",
                "lite-fip-1").toDescription());
        io.jenkins.plugins.openstackagents.nova.Compute admin = new io.jenkins.plugins.openstackagents.nova
                .Openstack4jComputeFactory().connect(os.settings(os.adminCredentials()));
        // another project's, even with this controller's and cloud's description
        FloatingIp otherProject = admin.allocateFloatingIp(ext, leaked.description());
        try {
            long deadline = System.currentTimeMillis() + 120_000;
            while (nova.floatingIps("").stream().anyMatch(f -> f.id().equals(leaked.id()))
                    && System.currentTimeMillis() < deadline) {
                OpenStackCleanupWork.trigger();
                Thread.sleep(1000);
            }
            List<String> left = nova.floatingIps("").stream().map(FloatingIp::id).toList();
            assertFalse("the leaked one released", left.contains(leaked.id()));
            assertTrue("a person's untouched", left.contains(byHand.id()));
            assertTrue("another Jenkins' untouched", left.contains(otherJenkins.id()));
            assertTrue("another project's untouched", admin.floatingIps("").stream()
                    .anyMatch(f -> f.id().equals(otherProject.id())));
        } finally {
            nova.releaseFloatingIp(byHand.id());
            nova.releaseFloatingIp(otherJenkins.id());
            admin.releaseFloatingIp(otherProject.id());
        }
    }
}
