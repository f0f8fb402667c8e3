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
        hudson.clouds.add(cloud("os", getURL().toString(),
                template("linux", "fast", 0, createTmpDir().getAbsolutePath())));
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
        assertBuildStatusSuccess(fa.get(120, TimeUnit.SECONDS));
        assertBuildStatusSuccess(fb.get(120, TimeUnit.SECONDS));
        assertEquals("one server per waiting build", 2, compute.calls(InMemoryCompute.Op.CREATE));
        assertEquals(0, compute.refusedCreates());
    }
}
