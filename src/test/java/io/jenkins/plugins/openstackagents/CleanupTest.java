package io.jenkins.plugins.openstackagents;

import hudson.model.FreeStyleBuild;
import hudson.model.FreeStyleProject;
import hudson.model.Result;
import hudson.tasks.Shell;
import io.jenkins.plugins.openstackagents.nova.InMemoryCompute;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** The periodic cleanup on a real Hudson: stuck builds, vanished servers. */
public class CleanupTest extends OpenStackTestCase {

    private OpenStackCloud cloud(AgentTemplate t) throws Exception {
        return new OpenStackCloud("os", "https://keystone.example.com:5000/v3", "RegionOne", "jenkins", "pw", "ci",
                "Default", "", "", true, 5, getURL().toString(), 60, 1000, 1, List.of(t));
    }

    private FreeStyleProject job(String name, String label, String script) throws Exception {
        FreeStyleProject p = createFreeStyleProject(name);
        p.setAssignedLabel(hudson.getLabel(label));
        p.getBuildersList().add(new Shell(script));
        return p;
    }

    public void testStuckBuildIsAbortedWithItsReasonThenItsAgentDeleted() throws Exception {
        hudson.clouds.add(cloud(new AgentTemplate("t", "stuck", "1", "img-1", "", "", "", "", "", 1,
                createTmpDir().getAbsolutePath(), 0, 30, 10, 5, 1)));
        Future<FreeStyleBuild> f = job("hangs", "stuck", "sleep 600").scheduleBuild2(0);
        FreeStyleBuild b = f.get(180, TimeUnit.SECONDS);
        assertEquals(Result.ABORTED, b.getResult());
        assertLogContains("it has run longer than the maximum build time of 1 min set for template t", b);
        String agent = b.getBuiltOnStr();
        long deadline = System.currentTimeMillis() + 30_000;
        while (hudson.getNode(agent) != null && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertNull("agent removed", hudson.getNode(agent));
        assertEquals(1, compute.calls(InMemoryCompute.Op.DELETE));
    }

    public void testIdleAgentIsDeletedAfterItsIdleMinutes() throws Exception {
        hudson.clouds.add(cloud(template("t", "idle", 1, createTmpDir().getAbsolutePath())));
        FreeStyleBuild b = assertBuildStatusSuccess(job("quick", "idle", "true").scheduleBuild2(0).get(120,
                TimeUnit.SECONDS));
        OpenStackAgent agent = (OpenStackAgent) b.getBuiltOn();
        long built = System.currentTimeMillis();
        OpenStackComputer c = (OpenStackComputer) agent.toComputer();
        // Hudson's retention work runs once a minute (the stuck build test above goes through it); here it is called
        // directly, so the agent goes as soon as its idle minute is over
        OpenStackRetentionStrategy retention = new OpenStackRetentionStrategy();
        Thread.sleep(30_000);
        retention.check(c);
        assertNull("not marked while idle for less than a minute", c.getDeletionReason());
        assertNotNull("kept while idle for less than a minute", hudson.getNode(agent.getNodeName()));
        long deadline = built + 120_000;
        while (hudson.getNode(agent.getNodeName()) != null && System.currentTimeMillis() < deadline) {
            retention.check(c);
            Thread.sleep(500);
        }
        assertNull("agent removed", hudson.getNode(agent.getNodeName()));
        assertEquals(1, compute.calls(InMemoryCompute.Op.DELETE));
        String reason = agent.getCloud().runtime().removals().get(0).reason();
        assertTrue(reason, reason.matches("idle for \\d+ min \\(limit 1 min\\)"));
        System.out.println("TIMING idle agent removed " + (System.currentTimeMillis() - built) + " ms after its build");
    }

    public void testSingleUseAgentThatNoBuildTookIsDeletedAfterTheLimit() throws Exception {
        long limit = OpenStackRetentionStrategy.unusedSingleUseMs;
        OpenStackRetentionStrategy.unusedSingleUseMs = 5000;
        try {
            hudson.clouds.add(cloud(template("t", "cancelled", 0, createTmpDir().getAbsolutePath())));
            compute.bootTime(java.time.Duration.ofSeconds(3));
            FreeStyleProject p = job("cancelled", "cancelled", "true");
            p.scheduleBuild2(0);
            long deadline = System.currentTimeMillis() + 30_000;
            while (compute.servers().isEmpty() && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            assertTrue("the cancelled build's queue item was there", hudson.getQueue().cancel(p));
            String name = compute.servers().get(0).name();
            OpenStackComputer c = null;
            while ((c == null || !c.isOnline()) && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
                c = hudson.getNode(name) == null ? null : (OpenStackComputer) hudson.getNode(name).toComputer();
            }
            assertTrue("agent " + name + " online", c != null && c.isOnline());
            OpenStackRetentionStrategy retention = new OpenStackRetentionStrategy();
            retention.check(c); // the retention work runs once a minute; here it is called directly
            assertNull("kept until the limit", c.getDeletionReason());

            deadline = System.currentTimeMillis() + 30_000;
            while (hudson.getNode(name) != null && System.currentTimeMillis() < deadline) {
                retention.check(c);
                Thread.sleep(500);
            }
            assertNull("agent removed", hudson.getNode(name));
            assertEquals(List.of(), compute.servers());
            String reason = c.getDeletionReason();
            assertTrue(reason, reason.matches("single-use agent took no build in its first \\d+ min online \\(limit 0 min\\)"));
            assertEquals("no build ran", 0, p.getBuilds().size());
        } finally {
            OpenStackRetentionStrategy.unusedSingleUseMs = limit;
        }
    }

    public void testAgentWhoseServerVanishedIsRemoved() throws Exception {
        hudson.clouds.add(cloud(template("t", "vanish", 30, createTmpDir().getAbsolutePath())));
        FreeStyleBuild b = assertBuildStatusSuccess(job("once", "vanish", "true").scheduleBuild2(0).get(120,
                TimeUnit.SECONDS));
        OpenStackAgent agent = (OpenStackAgent) b.getBuiltOn();
        compute.delete(agent.getServerId()); // an operator deletes it by hand
        long deadline = System.currentTimeMillis() + 30_000;
        while (hudson.getNode(agent.getNodeName()) != null && System.currentTimeMillis() < deadline) {
            OpenStackCleanupWork.trigger();
            Thread.sleep(500);
        }
        assertNull("agent removed", hudson.getNode(agent.getNodeName()));
        assertEquals("the plugin deleted nothing itself", 1, compute.calls(InMemoryCompute.Op.DELETE));
        assertTrue(agent.getCloud().runtime().ledger().entries().isEmpty());
    }
}
