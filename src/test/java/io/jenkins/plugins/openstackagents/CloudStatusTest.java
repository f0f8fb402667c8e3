package io.jenkins.plugins.openstackagents;

import io.jenkins.plugins.openstackagents.nova.ServerRequest;
import io.jenkins.plugins.openstackagents.pool.CloudRuntime;
import io.jenkins.plugins.openstackagents.pool.Ownership;
import io.jenkins.plugins.openstackagents.pool.TestLaunch;
import io.jenkins.plugins.openstackagents.pool.Planner;
import io.jenkins.plugins.openstackagents.pool.Quota;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The operator's page of a cloud shows the quota, the ledger, the API calls and the last removals. */
public class CloudStatusTest extends OpenStackTestCase {

    public void testStatusPageShowsWhatTheCloudRuntimeKnows() throws Exception {
        compute.quota(7, -1, 8192).neutronQuota(-1, 20).deleteTime(Duration.ofMinutes(5));
        OpenStackCloud cloud = cloud("os", getURL().toString(), template("linux", "linux", 10, "/tmp/agent"));
        hudson.clouds.add(cloud);
        CloudRuntime rt = cloud.runtime();
        rt.assumeSoleUser(); // two servers in one plan: no pacing of the first creates
        Planner.Plan plan = rt.plan(new Planner.Request("linux", new Quota(1, 1, 512), 2, 0), 0,
                new java.util.function.Supplier<String>() {
                    int n;

                    @Override
                    public String get() {
                        return "os-linux-" + (++n);
                    }
                });
        for (String name : plan.reserved()) {
            Map<String, String> owner = new Ownership(OpenStackCloud.descriptor().controllerId(), "os", "linux", name)
                    .toMetadata();
            TestLaunch.launch(rt, name, new ServerRequest(name, "1", "img-1", List.of(), null, List.of(), null, "", owner),
                    Duration.ofMinutes(1));
        }
        rt.release("os-linux-1", "idle for 11 min (limit 10 min)");

        String index = createWebClient().goTo("openstack-agents/").asText();
        assertTrue(index, index.contains("os (https://keystone.example.com:5000/v3)"));

        String page = createWebClient().goTo("openstack-agents/os/").asText();
        assertTrue(page, page.contains("Not paused."));
        assertTrue(page, page.matches("(?s).*Instances\\s+0\\s+7.*"));
        assertTrue(page, page.matches("(?s).*RAM \\(MB\\)\\s+0\\s+8192.*"));
        assertTrue(page, page.matches("(?s).*Floating IPs \\(Neutron\\)\\s+0\\s+unlimited.*"));
        assertTrue(page, page.matches("(?s).*Ports \\(Neutron\\)\\s+0\\s+20.*"));
        assertTrue(page, page.matches("(?s).*linux\\s+DELETING\\s+1.*"));
        assertTrue(page, page.matches("(?s).*linux\\s+RUNNING\\s+1.*"));
        assertTrue(page, page.matches("(?s).*create ok\\s+2.*"));
        assertTrue(page, page.matches("(?s).*os-linux-1\\s+idle for 11 min \\(limit 10 min\\).*"));

        try {
            createWebClient().goTo("openstack-agents/no-such-cloud/");
            fail("a page for a cloud that does not exist");
        } catch (com.gargoylesoftware.htmlunit.FailingHttpStatusCodeException e) {
            assertEquals(404, e.getStatusCode());
        }
    }
}
