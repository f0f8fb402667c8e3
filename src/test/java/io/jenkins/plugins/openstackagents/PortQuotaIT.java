package io.jenkins.plugins.openstackagents;

import hudson.model.FreeStyleBuild;
import io.jenkins.plugins.openstackagents.browser.OpenStackApi;
import io.jenkins.plugins.openstackagents.pool.Ownership;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Neutron's port quota on the real OpenStack: with room for two servers' ports, three builds run one after the
 * other as ports come free, and Nova never refuses a create for its ports ("Maximum number of ports exceeded").
 */
public class PortQuotaIT extends LiveOpenStackTestCase {

    public void testRoomForTwoServersPortsHoldsTheThirdBuildBackWithoutARefusedCreate() throws Exception {
        OpenStackApi api = new OpenStackApi(os);
        int[] before = api.portQuota();
        // the project's other ports (the router's interface) stay counted: room for exactly 2 more
        api.setPortQuota(before[1] + 2);
        LogCapture log = LogCapture.start();
        try {
            OpenStackCloud cloud = liveCloud("lite", liveTemplate("ports", "ports", 0));
            hudson.clouds.add(cloud);
            List<Future<FreeStyleBuild>> builds = queueBuilds("ports", "port-quota", 3, "sleep 3");
            Map<String, String> ours = Map.of(Ownership.KEY_CONTROLLER, OpenStackCloud.descriptor().controllerId());
            int most = 0;
            long deadline = System.currentTimeMillis() + 300_000;
            while (builds.stream().anyMatch(f -> !f.isDone()) && System.currentTimeMillis() < deadline) {
                most = Math.max(most, nova.list(ours).size());
                Thread.sleep(250);
            }
            for (Future<FreeStyleBuild> f : builds) {
                assertBuildStatusSuccess(f.get(1, TimeUnit.SECONDS));
            }
            System.out.println("PORT-QUOTA most servers at once " + most + "; " + cloud.runtime().stats().snapshot());
            assertEquals("creates Nova refused for their ports", 0, cloud.runtime().stats().count("create",
                    "QUOTA_EXCEEDED"));
            assertEquals("one server per build", 3, cloud.runtime().stats().count("create", "ok"));
            assertTrue("at most 2 servers at once: " + most, most <= 2);
            List<String> waits = log.lines().stream().filter(l -> l.contains("Quota exhausted")).toList();
            assertFalse("the log says it waited", waits.isEmpty());
            assertTrue("with Neutron's port count: " + waits, waits.get(0).contains(" ports"));
        } finally {
            log.close();
            deleteOurServers();
            api.setPortQuota(before[0]);
        }
    }
}
