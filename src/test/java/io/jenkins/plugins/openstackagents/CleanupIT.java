package io.jenkins.plugins.openstackagents;

import io.jenkins.plugins.openstackagents.nova.ComputeException;
import io.jenkins.plugins.openstackagents.nova.Server;
import io.jenkins.plugins.openstackagents.nova.ServerRequest;
import io.jenkins.plugins.openstackagents.pool.CloudRuntime;
import io.jenkins.plugins.openstackagents.pool.Ownership;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The cleanup against the real Nova: servers of this Jenkins with no agent (leaked), and servers Nova failed with
 * its late over-quota error, are each deleted exactly once; a server of another Jenkins is never touched.
 */
public class CleanupIT extends LiveOpenStackTestCase {

    private Server foreign;

    @Override
    protected void tearDown() throws Exception {
        if (foreign != null) {
            nova.delete(foreign.id());
            awaitGone(foreign.id(), 60_000);
        }
        super.tearDown();
    }

    private ServerRequest request(String agent, Map<String, String> metadata) {
        return new ServerRequest(agent, os.flavorSmall(), os.imageId(), List.of(), null, List.of(), null, "", metadata);
    }

    public void testLeakedAndErroredServersAreDeletedOnceAndOthersNeverTouched() throws Exception {
        OpenStackCloud cloud = new OpenStackCloud("lite", os.authUrl(), os.region(), "", "", "", os.domain(),
                os.appCredId(), os.appCredSecret(), true, 0, getURL().toString(), 60, 5, 1,
                List.of(liveTemplate("small", "openstack", 10)));
        hudson.clouds.add(cloud);
        String controller = OpenStackCloud.descriptor().controllerId();
        foreign = nova.create(request("other-jenkins-agent",
                new Ownership("another-controller", "lite", "small", "other-jenkins-agent").toMetadata()));

        // five creates at once, as a crashed controller might have left them: with one slot taken and a quota of
        // three, Nova refuses some at once (403), accepts the others and may fail some of those late (ERROR 413)
        ExecutorService pool = Executors.newFixedThreadPool(5);
        List<Future<Server>> creates = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String agent = "lite-small-leak" + i;
            creates.add(pool.submit(() -> nova.create(request(agent,
                    new Ownership(controller, "lite", "small", agent).toMetadata()))));
        }
        int accepted = 0;
        for (Future<Server> f : creates) {
            try {
                f.get();
                accepted++;
            } catch (java.util.concurrent.ExecutionException e) {
                assertTrue(String.valueOf(e.getCause()), e.getCause() instanceof ComputeException
                        && ((ComputeException) e.getCause()).is(ComputeException.Kind.QUOTA_EXCEEDED));
            }
        }
        pool.shutdown();
        Thread.sleep(3000); // let Nova fail the late ones
        List<Server> before = nova.list(Map.of(Ownership.KEY_CONTROLLER, controller));
        long errored = before.stream().filter(s -> s.status() == Server.Status.ERROR).count();
        System.out.println("Nova accepted " + accepted + " of 5 racing creates; " + errored + " turned ERROR: "
                + before.stream().map(s -> s.name() + "=" + s.status()
                        + (s.fault() == null ? "" : "(" + s.fault().code() + " " + s.fault().message() + ")")).toList());
        // the periodic cleanup (every 10 s) may already have deleted the ERROR ones: none is lost either way
        CloudRuntime rt = cloud.runtime();
        assertTrue("Nova lists no more servers than it accepted", before.size() <= accepted);
        assertTrue("every accepted server is listed or deleted by the cleanup",
                before.size() + rt.stats().count("delete", "ok") >= accepted);

        long deadline = System.currentTimeMillis() + 90_000;
        while (!nova.list(Map.of(Ownership.KEY_CONTROLLER, controller)).isEmpty()
                && System.currentTimeMillis() < deadline) {
            OpenStackCleanupWork.trigger();
            Thread.sleep(1500);
        }
        assertEquals("none of ours left", List.of(), nova.list(Map.of(Ownership.KEY_CONTROLLER, controller)));
        assertEquals("each deleted exactly once", accepted, rt.stats().count("delete", "ok"));
        assertTrue("the other Jenkins' server untouched", nova.find(foreign.id()).isPresent());
        System.out.println("API calls: " + rt.stats().snapshot() + "; removals: " + rt.removals());
    }
}
