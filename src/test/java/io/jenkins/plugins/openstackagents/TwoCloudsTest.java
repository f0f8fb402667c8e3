package io.jenkins.plugins.openstackagents;

import hudson.model.FreeStyleBuild;
import hudson.model.FreeStyleProject;
import hudson.tasks.Shell;
import io.jenkins.plugins.openstackagents.nova.InMemoryCompute;
import io.jenkins.plugins.openstackagents.nova.WrappedCompute;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Two clouds in one Hudson, one of them answering every request 40 s late: the other cloud's waiting build gets
 * its create request at once and runs, because nothing holds a lock while a cloud is asked, and the fast path
 * decides for each cloud on its own.
 */
public class TwoCloudsTest extends OpenStackTestCase {

    /** Answers after 40 s, or when the test ends. */
    private static final class Late extends WrappedCompute {
        final InMemoryCompute nova;
        final CountDownLatch end = new CountDownLatch(1);

        Late(InMemoryCompute nova) {
            super(nova);
            this.nova = nova;
        }

        @Override
        protected void before(InMemoryCompute.Op op) {
            try {
                end.await(40, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public void testASlowCloudHoldsUpNoOtherCloud() throws Exception {
        Late late = new Late(new InMemoryCompute());
        late.nova.onActive(guests::boot).onGone(guests::halt);
        try {
            OpenStackCloud.descriptor().setComputeFactory(s -> s.authUrl().contains("slow") ? late : compute);
            hudson.clouds.add(new OpenStackCloud("slow", "https://slow.example.com:5000/v3", null, "jenkins", "pw",
                    "ci", "Default", "", "", true, 5, getURL().toString(), 60, 1000, 60,
                    List.of(template("s", "on-slow", 0, createTmpDir().getAbsolutePath()))));
            hudson.clouds.add(cloud("quick", getURL().toString(),
                    template("q", "on-quick", 0, createTmpDir().getAbsolutePath())));
            FreeStyleProject slow = job("waits-for-slow", "on-slow");
            FreeStyleProject quick = job("runs-on-quick", "on-quick");

            Future<FreeStyleBuild> slowBuild = slow.scheduleBuild2(0);
            Thread.sleep(1000); // the slow cloud's first request is under way
            long queued = System.currentTimeMillis();
            Future<FreeStyleBuild> build = quick.scheduleBuild2(0);
            while (compute.calls(InMemoryCompute.Op.CREATE) == 0 && System.currentTimeMillis() - queued < 60_000) {
                Thread.sleep(20);
            }
            long toCreate = System.currentTimeMillis() - queued;
            System.out.println("TIMING other cloud's create request, while one cloud answers 40 s late: "
                    + toCreate + " ms");
            assertTrue("the quick cloud's create waited " + toCreate + " ms behind the slow cloud",
                    toCreate < 20_000);
            assertBuildStatusSuccess(build.get(60, TimeUnit.SECONDS));
            assertEquals("the quick cloud's build ran on the quick cloud", 1,
                    compute.calls(InMemoryCompute.Op.CREATE));
            late.end.countDown();
            // once the slow cloud answers, its build runs too (and no launch outlives the test)
            assertBuildStatusSuccess(slowBuild.get(90, TimeUnit.SECONDS));
            // both single-use agents go once their builds end (before the test ends: a removal that saves Hudson's
            // config during its shutdown leaves a file the harness cannot clean up)
            long end = System.currentTimeMillis() + 60_000;
            while (!hudson.getNodes().isEmpty() && System.currentTimeMillis() < end) {
                Thread.sleep(100);
            }
            assertEquals("agents left", List.of(), hudson.getNodes());
        } finally {
            late.end.countDown();
        }
    }

    private FreeStyleProject job(String name, String label) throws Exception {
        FreeStyleProject p = createFreeStyleProject(name);
        p.setAssignedLabel(hudson.getLabel(label));
        p.getBuildersList().add(new Shell("echo " + name));
        return p;
    }
}
