package io.jenkins.plugins.openstackagents;

import hudson.model.FreeStyleBuild;
import hudson.model.FreeStyleProject;
import hudson.model.Result;
import hudson.tasks.Shell;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * An agent process killed in the middle of a build (its server stays up): the build fails, is queued once more
 * and succeeds on a new agent, and the lost agent's server is deleted. A build that fails by itself is not queued
 * again.
 */
public class AgentLostTest extends OpenStackTestCase {

    private final List<String> log = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            synchronized (log) {
                log.add(r.getLevel() + " " + r.getMessage());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @Override
    protected void setUp() throws Exception {
        super.setUp();
        Logger.getLogger("io.jenkins.plugins.openstackagents").addHandler(capture);
    }

    @Override
    protected void tearDown() throws Exception {
        Logger.getLogger("io.jenkins.plugins.openstackagents").removeHandler(capture);
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
        SingleUseListener.AgentLost cause = second.getCause(SingleUseListener.AgentLost.class);
        assertNotNull("queued again because the agent was lost: " + second.getCauses(), cause);
        assertEquals(lost.getNodeName(), cause.getAgent());
        assertNotSame(lost.getNodeName(), second.getBuiltOn().getNodeName());

        while (compute.find(lost.getServerId()).isPresent() && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertFalse("the lost agent's server is deleted", compute.find(lost.getServerId()).isPresent());
        assertNull(hudson.getNode(lost.getNodeName()));
        synchronized (log) {
            assertEquals(log.toString(), 1, log.stream().filter(l -> l.contains("lost its agent")).count());
        }
        Thread.sleep(SingleUseListener.LOST_CONNECTION_WAIT_MS + 1000);
        assertNull("no third try", p.getBuildByNumber(3));
    }

    public void testABuildThatFailsByItselfIsNotQueuedAgain() throws Exception {
        hudson.clouds.add(cloud("os", getURL().toString(), template("linux", "openstack", 0,
                createTmpDir().getAbsolutePath())));
        FreeStyleProject p = createFreeStyleProject("failing");
        p.setAssignedLabel(hudson.getLabel("openstack"));
        p.getBuildersList().add(new Shell("exit 3"));
        FreeStyleBuild b = p.scheduleBuild2(0).get(120, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(Result.FAILURE, b.getResult());
        Thread.sleep(SingleUseListener.LOST_CONNECTION_WAIT_MS + 3000);
        assertNull("not queued again", p.getBuildByNumber(2));
        assertFalse(p.isInQueue());
    }
}
