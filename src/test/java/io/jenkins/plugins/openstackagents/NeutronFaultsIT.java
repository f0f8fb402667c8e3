package io.jenkins.plugins.openstackagents;

import hudson.model.FreeStyleBuild;
import hudson.model.Result;
import io.jenkins.plugins.openstackagents.nova.FaultProxy;
import io.jenkins.plugins.openstackagents.nova.FaultProxy.Fault;
import io.jenkins.plugins.openstackagents.nova.FaultProxy.Match;
import io.jenkins.plugins.openstackagents.pool.Ownership;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Faults between the plugin and the real Neutron (a proxy on 127.0.0.1; Nova is reached directly, and Nova's own
 * calls to Neutron are not faulted) for agents with a floating IP: builds queued during the fault complete after
 * it, and no server and no floating IP of this controller is left.
 */
public class NeutronFaultsIT extends LiveOpenStackTestCase {

    private FaultProxy neutronProxy;
    private FaultProxy keystoneProxy;
    private LogCapture log;

    @Override
    protected void setUp() throws Exception {
        super.setUp();
        neutronProxy = FaultProxy.start(os.neutronUrl().replaceAll("/$", ""));
        keystoneProxy = FaultProxy.start(os.authUrl().replaceAll("/v3/?$", "")).routeThrough(neutronProxy);
        log = LogCapture.start();
        AgentTemplate t = new AgentTemplate("fip", "faulty", os.flavorSmall(), os.imageId(), os.networkId(), "", "", "",
                "", 1, createTmpDir().getAbsolutePath(), 0, 0, 5, 2, 0, AgentTemplate.SSH, "", 0, null, 0, 0, null,
                os.externalNetworkId());
        hudson.clouds.add(new OpenStackCloud("faulty", keystoneProxy.baseUrl() + "/v3", os.region(), "", "", "",
                os.domain(), os.appCredId(), os.appCredSecret(), true, 0, getURL().toString(), 60, 5, 10,
                List.of(t)));
    }

    @Override
    protected void tearDown() throws Exception {
        log.close();
        try {
            for (io.jenkins.plugins.openstackagents.nova.FloatingIp f : nova.floatingIps(ours())) {
                nova.releaseFloatingIp(f.id());
            }
            super.tearDown();
        } finally {
            keystoneProxy.close();
            neutronProxy.close();
        }
    }

    private static String ours() {
        return Ownership.descriptionPrefix(OpenStackCloud.descriptor().controllerId(), "faulty");
    }

    /** Two builds queued while {@code fault} lasts {@code seconds}; then the table's row. */
    private String run(String what, Fault fault, int seconds) throws Exception {
        log.clear();
        neutronProxy.clearCounts();
        FaultProxy.Rule rule = neutronProxy.inject(Match.any(), fault);
        List<Future<FreeStyleBuild>> builds = queueBuilds("faulty", what, 2, "echo ok");
        Thread.sleep(seconds * 1000L);
        int duringFault = neutronProxy.count(Match.any());
        rule.clear();
        long cleared = System.currentTimeMillis();
        int lost = 0;
        for (Future<FreeStyleBuild> f : builds) {
            FreeStyleBuild b = f.get(10, TimeUnit.MINUTES);
            lost += b.getResult() == Result.SUCCESS ? 0 : 1;
        }
        long recovered = System.currentTimeMillis() - cleared;
        Map<String, String> mine = Map.of(Ownership.KEY_CONTROLLER, OpenStackCloud.descriptor().controllerId());
        long deadline = System.currentTimeMillis() + 180_000;
        while ((!nova.list(mine).isEmpty() || !nova.floatingIps(ours()).isEmpty())
                && System.currentTimeMillis() < deadline) {
            OpenStackCleanupWork.trigger();
            Thread.sleep(1000);
        }
        int servers = nova.list(mine).size();
        int floating = nova.floatingIps(ours()).size();
        String row = String.format("| %s for %d s | %d | %d | %d | %d | %.0f s | %d |", what, seconds, lost, servers,
                floating, duringFault, recovered / 1000.0, log.warnings());
        System.out.println("NEUTRON-FAULT-ROW " + row);
        assertEquals(what + ": builds lost", 0, lost);
        assertEquals(what + ": servers leaked", 0, servers);
        assertEquals(what + ": floating IPs leaked", 0, floating);
        return row;
    }

    public void testNeutronFaultsLoseNoBuildAndLeakNothing() throws Exception {
        System.out.println("NEUTRON-FAULT-ROW | fault | builds lost | servers leaked | floating IPs leaked |"
                + " Neutron requests during fault | time to recover | WARNING lines |");
        run("503 on every Neutron call", Fault.status(503), 20);
        run("connection reset on every Neutron call", Fault.reset(), 20);
        run("every Neutron answer 40 s late (read timeout 30 s)", Fault.delay(Duration.ofSeconds(40)), 50);
    }
}
