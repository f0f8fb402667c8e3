package io.jenkins.plugins.openstackagents;

import hudson.model.FreeStyleBuild;
import hudson.model.FreeStyleProject;
import hudson.model.Hudson;
import hudson.model.Result;
import hudson.tasks.Shell;
import io.jenkins.plugins.openstackagents.nova.InMemoryCompute;
import io.jenkins.plugins.openstackagents.nova.Server;
import java.io.File;
import java.time.Duration;
import java.util.List;

/**
 * Jenkins restarted while the plugin has a server in every state: one deleting (a single-use agent's build ended),
 * one running a build, one booting for a queued build, and a build waiting for quota. A new Hudson on the same home
 * directory and the same URL (the agents reconnect to it) starts with a new runtime: it rebuilds its ledger from
 * Nova, the queued builds complete, Nova refuses nothing, and no server is left once the builds are done.
 */
public class RestartTest extends OpenStackTestCase {

    public void testRestartWithServersBuildingRunningAndDeleting() throws Exception {
        compute.quota(3, 100, 100_000);
        // connect timeout 1 min: an agent that does not come back after the restart is deleted within the test
        hudson.clouds.add(cloud("os", getURL().toString(), new AgentTemplate("linux", "openstack", "1", "img-1",
                "net-1", "", "default", "", "", 1, createTmpDir().getAbsolutePath(), 0, 0, 10, 1, 0)));
        File marker = new File(createTmpDir(), "long-ran-once");

        // deleting: a single-use build that ended; Nova takes 30 s to drop its server
        compute.deleteTime(Duration.ofSeconds(30));
        assertBuildStatusSuccess(job("quick", "echo quick").scheduleBuild2(0).get());
        // running: a long build, under way at the restart (a freestyle build does not survive a restart)
        job("long", "if [ -e " + marker + " ]; then echo again; else touch " + marker + "; sleep 60; fi")
                .scheduleBuild2(0);
        awaitStarted("long");
        // booting: the server of a queued build is in BUILD for 20 s
        compute.bootTime(Duration.ofSeconds(20));
        job("booting", "echo booting").scheduleBuild2(0);
        awaitServers(3);
        // waiting for quota: 3 of 3 instances are used
        job("waiting", "echo waiting").scheduleBuild2(0);
        Thread.sleep(2000);
        assertEquals("at quota", 3, compute.servers().size());

        LogCapture log = LogCapture.start();
        restart();
        long restarted = System.currentTimeMillis();
        assertNotNull("the configuration survived", OpenStackCloud.descriptor());
        OpenStackCloud cloud = (OpenStackCloud) hudson.getCloud("os");
        assertNotNull(cloud);

        for (String name : List.of("booting", "waiting")) {
            FreeStyleBuild b = awaitCompleted(name, 240_000);
            assertEquals(name + " after the restart: " + b.getLog(50), Result.SUCCESS, b.getResult());
        }
        long recovered = System.currentTimeMillis() - restarted;
        assertEquals("Nova refused nothing", 0, compute.refusedCreates());

        // nothing left: builds done, every server deleted within two cleanup passes
        long deadline = System.currentTimeMillis() + 120_000;
        while ((!compute.servers().isEmpty() || !cloud.runtime().ledger().entries().isEmpty())
                && System.currentTimeMillis() < deadline) {
            OpenStackCleanupWork.trigger();
            Thread.sleep(500);
        }
        List<Server> left = compute.servers();
        System.out.println("RESTART: creates " + compute.calls(InMemoryCompute.Op.CREATE) + ", deletes "
                + compute.calls(InMemoryCompute.Op.DELETE) + ", left " + left + ", long: "
                + hudson.getItemByFullName("long", FreeStyleProject.class).getBuilds());
        log.close();
        System.out.printf("FAULT-ROW | Jenkins restarted with servers building, running and deleting and a build"
                + " waiting for quota (in-memory Nova) | 0 | %d | %d | %d | %.0f s | %d |%n", left.size(),
                compute.peakPerSecond(), compute.totalCalls(), recovered / 1000.0, log.warnings());
        assertEquals("servers left on Nova", List.of(), left);
        java.util.Map<String, String> ranOn = new java.util.HashMap<>();
        for (String job : List.of("quick", "long", "booting", "waiting")) {
            for (FreeStyleBuild b : hudson.getItemByFullName(job, FreeStyleProject.class).getBuilds()) {
                String other = ranOn.put(b.getBuiltOnStr(), b.getFullDisplayName());
                assertNull("single-use agent " + b.getBuiltOnStr() + " ran " + other + " and "
                        + b.getFullDisplayName(), other);
            }
        }
        assertEquals(List.of(), cloud.runtime().ledger().entries());
    }

    /** Why an agent is to be deleted is saved with it: a restart neither forgets it nor gives the agent a build. */
    public void testAMarkForDeletionIsSavedWithTheAgent() throws Exception {
        AgentTemplate t = template("linux", "openstack", 10, createTmpDir().getAbsolutePath());
        // no cloud "os" in Hudson: a cleanup pass would delete the marked agent (and its computer) mid-test
        OpenStackAgent agent = new OpenStackAgent("os-linux-marked", "os", t, "server-1");
        hudson.addNode(agent);
        ((OpenStackComputer) agent.toComputer()).markForDeletion("idle for 11 min (limit 10 min)");
        OpenStackAgent saved = (OpenStackAgent) Hudson.XSTREAM.fromXML(Hudson.XSTREAM.toXML(agent));
        assertEquals("idle for 11 min (limit 10 min)", saved.getDeletionReason());
        hudson.removeNode(agent);
        hudson.addNode(saved);
        OpenStackComputer c = (OpenStackComputer) saved.toComputer();
        assertEquals("idle for 11 min (limit 10 min)", c.getDeletionReason());
        assertNotNull("it takes no build", saved.canTake(job("after", "true")));
    }

    private FreeStyleProject job(String name, String script) throws Exception {
        FreeStyleProject p = createFreeStyleProject(name);
        p.setAssignedLabel(hudson.getLabel("openstack"));
        p.getBuildersList().add(new Shell(script));
        return p;
    }

    private void awaitStarted(String name) throws Exception {
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            FreeStyleBuild b = hudson.getItemByFullName(name, FreeStyleProject.class).getLastBuild();
            if (b != null && b.isBuilding() && b.getBuiltOn() instanceof OpenStackAgent) {
                return;
            }
            Thread.sleep(100);
        }
        fail(name + " did not start");
    }

    private void awaitServers(int n) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (compute.servers().size() < n && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(compute.servers().toString(), n, compute.servers().size());
    }

    private FreeStyleBuild awaitCompleted(String name, long timeoutMs) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline) {
            FreeStyleBuild b = hudson.getItemByFullName(name, FreeStyleProject.class).getLastBuild();
            if (b != null && !b.isBuilding()) {
                return b;
            }
            Thread.sleep(200);
        }
        fail(name + " did not complete; queue: " + List.of(hudson.getQueue().getItems()));
        return null;
    }

    private void restart() throws Exception {
        restartHudson();
    }
}
