package io.jenkins.plugins.openstackagents;

import hudson.model.FreeStyleBuild;
import hudson.model.FreeStyleProject;
import hudson.tasks.Shell;
import io.jenkins.plugins.openstackagents.nova.InMemoryCompute;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Builds get their server without waiting for NodeProvisioner: here NodeProvisioner runs once an hour, so every
 * agent comes from {@link FastProvisioner}, one per waiting build and no more.
 */
public class FastProvisioningTest extends OpenStackTestCase {

    @Override
    protected int nodeProvisionerTickMs() {
        return 3_600_000;
    }

    public void testWaitingBuildsGetOneServerEachWithoutNodeProvisioner() throws Exception {
        // single use with 2 executors in the field: a single-use agent takes one build, so it counts as one
        hudson.clouds.add(cloud("os", getURL().toString(), new AgentTemplate("linux", "fast", "1", "img-1", "net-1", "",
                "default", "", "", 2, createTmpDir().getAbsolutePath(), 0, 0, 10, 5, 0)));
        FreeStyleProject a = createFreeStyleProject("a");
        FreeStyleProject b = createFreeStyleProject("b");
        for (FreeStyleProject p : new FreeStyleProject[] {a, b}) {
            p.setAssignedLabel(hudson.getLabel("fast"));
            p.getBuildersList().add(new Shell("sleep 1"));
        }
        long queued = System.currentTimeMillis();
        Future<FreeStyleBuild> fa = a.scheduleBuild2(0);
        Future<FreeStyleBuild> fb = b.scheduleBuild2(0);
        while (compute.calls(InMemoryCompute.Op.CREATE) < 2 && System.currentTimeMillis() - queued < 30_000) {
            Thread.sleep(20);
        }
        System.out.println("TIMING queue to second create request: " + (System.currentTimeMillis() - queued) + " ms");
        assertFalse("both servers requested at once, not the second after the first build", fa.isDone() || fb.isDone());
        assertBuildStatusSuccess(fa.get(120, TimeUnit.SECONDS));
        assertBuildStatusSuccess(fb.get(120, TimeUnit.SECONDS));
        assertEquals("one server per waiting build", 2, compute.calls(InMemoryCompute.Op.CREATE));
        assertEquals(0, compute.refusedCreates());
    }

    /**
     * A template whose image the cloud does not have: Nova refuses its create (400) once, and is not asked again
     * while the build waits (one create tries again after 5 min); the refusal is one WARNING, whatever agent the
     * create was for, and stands on the status page. A corrected template is tried at once.
     */
    public void testATemplateNovaRefusesIsAskedForOnceAndSaysWhy() throws Exception {
        String fs = createTmpDir().getAbsolutePath();
        AgentTemplate broken = new AgentTemplate("linux", "refused", "1", "img-gone", "", "", "", "", "", 1, fs, 0, 0,
                10, 5, 0);
        hudson.clouds.add(cloud("os", getURL().toString(), broken));
        FreeStyleProject p = createFreeStyleProject("waits");
        p.setAssignedLabel(hudson.getLabel("refused"));
        try (LogCapture log = LogCapture.start()) {
            Future<FreeStyleBuild> f = p.scheduleBuild2(0);
            long t0 = System.currentTimeMillis();
            while (compute.calls(InMemoryCompute.Op.CREATE) == 0 && System.currentTimeMillis() - t0 < 30_000) {
                Thread.sleep(20);
            }
            Thread.sleep(3000); // a dozen FastProvisioner rounds
            assertEquals("creates Nova refused as such, asked for", 1, compute.calls(InMemoryCompute.Op.CREATE));
            assertEquals(log.lines().toString(), 1, log.containing("cannot start agents of template linux"));
            String status = createWebClient().goTo("openstack-agents/os/").asText();
            assertTrue(status, status.contains("Template linux cannot start agents: Nova answered 400: Image img-gone"
                    + " could not be found. One create tries again "));

            hudson.clouds.remove(hudson.clouds.getByName("os"));
            hudson.clouds.add(cloud("os", getURL().toString(), template("linux", "refused", 0, fs)));
            assertBuildStatusSuccess(f.get(120, TimeUnit.SECONDS));
            assertEquals(2, compute.calls(InMemoryCompute.Op.CREATE));
        }
    }
}
