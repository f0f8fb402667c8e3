package io.jenkins.plugins.openstackagents;

import hudson.model.FreeStyleBuild;
import hudson.model.FreeStyleProject;
import hudson.model.Result;
import hudson.tasks.Shell;
import java.io.File;
import java.util.List;

/**
 * An agent process killed in the middle of a build (its server stays up): the build fails, is queued once more
 * and succeeds on a new agent, and the lost agent's server is deleted. A build that fails by itself is not queued
 * again.
 */
public class AgentLostTest extends OpenStackTestCase {

    private LogCapture log;

    @Override
    protected void setUp() throws Exception {
        super.setUp();
        log = LogCapture.start();
    }

    @Override
    protected void tearDown() throws Exception {
        log.close();
        super.tearDown();
    }

    public void testABuildWhoseAgentDiesIsQueuedAgainAndTheLostServerDeleted() throws Exception {
        hudson.clouds.add(cloud("os", getURL().toString(), template("linux", "openstack", 0,
                createTmpDir().getAbsolutePath())));
        File marker = new File(createTmpDir(), "first-try");
        FreeStyleProject p = createFreeStyleProject("long");
        p.setAssignedLabel(hudson.getLabel("openstack"));
        p.getBuildersList().add(new Shell("if [ -e " + marker + " ]; then echo second try; else touch " + marker
                + "; echo first try; sleep 120; fi"));

        p.scheduleBuild2(0);
        FreeStyleBuild first = null;
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            first = p.getBuildByNumber(1);
            if (first != null && first.getLog().contains("first try")) {
                break;
            }
            Thread.sleep(100);
        }
        assertNotNull("the first try started", first);
        OpenStackAgent lost = (OpenStackAgent) first.getBuiltOn();
        guests.kill(lost.getServerId()); // the agent process dies; Nova still has the server, ACTIVE
        long killed = System.currentTimeMillis();

        while (first.isBuilding() && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertTrue("the first try failed: " + first.getResult(), first.getResult().isWorseThan(Result.SUCCESS));
        FreeStyleBuild second = null;
        while (System.currentTimeMillis() < deadline) {
            second = p.getBuildByNumber(2);
            if (second != null && !second.isBuilding()) {
                break;
            }
            Thread.sleep(100);
        }
        assertNotNull("queued again", second);
        assertBuildStatusSuccess(second);
        assertLogContains("second try", second);
        long recovered = System.currentTimeMillis() - killed;
        LostAgentListener.AgentLost cause = second.getCause(LostAgentListener.AgentLost.class);
        assertNotNull("queued again because the agent was lost: " + second.getCauses(), cause);
        assertEquals(lost.getNodeName(), cause.getAgent());
        assertFalse("the second try ran on another agent", lost.getNodeName().equals(second.getBuiltOnStr()));

        while (compute.find(lost.getServerId()).isPresent() && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertFalse("the lost agent's server is deleted", compute.find(lost.getServerId()).isPresent());
        assertNull(hudson.getNode(lost.getNodeName()));
        assertEquals(log.lines().toString(), 1, log.containing("lost its agent"));
        Thread.sleep(LostAgentListener.LOST_CONNECTION_WAIT_MS + 1000);
        assertNull("no third try", p.getBuildByNumber(3));
        while (!compute.servers().isEmpty() && System.currentTimeMillis() < deadline + 60_000) {
            Thread.sleep(100);
        }
        System.out.printf("FAULT-ROW | agent process killed mid-build (in-memory Nova) | 0 | %d | %d | %d | %.0f s"
                + " | %d |%n", compute.servers().size(), compute.peakPerSecond(), compute.totalCalls(),
                recovered / 1000.0, log.warnings());
        assertEquals("no server left", List.of(), compute.servers());
    }

    public void testABuildThatFailsByItselfIsNotQueuedAgain() throws Exception {
        hudson.clouds.add(cloud("os", getURL().toString(), template("linux", "openstack", 0,
                createTmpDir().getAbsolutePath())));
        FreeStyleProject p = createFreeStyleProject("failing");
        p.setAssignedLabel(hudson.getLabel("openstack"));
        p.getBuildersList().add(new Shell("exit 3"));
        FreeStyleBuild b = p.scheduleBuild2(0).get(120, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(Result.FAILURE, b.getResult());
        Thread.sleep(LostAgentListener.LOST_CONNECTION_WAIT_MS + 3000);
        assertNull("not queued again", p.getBuildByNumber(2));
        assertFalse(p.isInQueue());
    }
}
