package io.jenkins.plugins.openstackagents;

import hudson.model.FreeStyleBuild;
import hudson.model.FreeStyleProject;
import hudson.model.Result;
import hudson.tasks.Shell;
import io.jenkins.plugins.openstackagents.nova.FaultProxy;
import io.jenkins.plugins.openstackagents.nova.FaultProxy.Fault;
import io.jenkins.plugins.openstackagents.nova.FaultProxy.Match;
import io.jenkins.plugins.openstackagents.pool.Ownership;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Faults between the plugin and the real Nova, injected by a proxy on 127.0.0.1: builds queued during the fault
 * complete after it, no server is left behind, the request rate stays under the cloud's limit (no retry storm),
 * and the log says what happened once.
 */
public class FaultsIT extends LiveOpenStackTestCase {

    private static final int RATE_LIMIT = 5;

    private FaultProxy novaProxy;
    private FaultProxy keystoneProxy;
    private final List<LogRecord> log = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            synchronized (log) {
                log.add(r);
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
        novaProxy = FaultProxy.start(os.novaUrl().replaceAll("/v2\\.1/?$", ""));
        keystoneProxy = FaultProxy.start(os.authUrl().replaceAll("/v3/?$", "")).routeThrough(novaProxy);
        Logger.getLogger("io.jenkins.plugins.openstackagents").addHandler(capture);
        hudson.clouds.add(new OpenStackCloud("faulty", keystoneProxy.baseUrl() + "/v3", os.region(), "", "", "",
                os.domain(), os.appCredId(), os.appCredSecret(), true, 0, getURL().toString(), 60, RATE_LIMIT, 10,
                List.of(liveTemplate("small", "faulty", 0))));
    }

    @Override
    protected void tearDown() throws Exception {
        Logger.getLogger("io.jenkins.plugins.openstackagents").removeHandler(capture);
        try {
            super.tearDown();
        } finally {
            keystoneProxy.close();
            novaProxy.close();
        }
    }

    /** One fault: two builds queued while Nova fails for {@code seconds}, then the fault is cleared. */
    private String run(String what, Fault fault, int seconds) throws Exception {
        synchronized (log) {
            log.clear();
        }
        novaProxy.clearCounts();
        FaultProxy.Rule rule = novaProxy.inject(Match.any(), fault);
        List<Future<FreeStyleBuild>> builds = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            FreeStyleProject p = createFreeStyleProject(what.replaceAll("[^a-z0-9]", "-") + "-" + i);
            p.setAssignedLabel(hudson.getLabel("faulty"));
            p.getBuildersList().add(new Shell("echo ok"));
            builds.add(p.scheduleBuild2(0));
        }
        Thread.sleep(seconds * 1000L);
        int peak = novaProxy.peakPerSecond(Match.any());
        int duringFault = novaProxy.count(Match.any());
        rule.clear();
        long cleared = System.currentTimeMillis();
        int lost = 0;
        for (Future<FreeStyleBuild> f : builds) {
            FreeStyleBuild b = f.get(10, TimeUnit.MINUTES);
            if (b.getResult() != Result.SUCCESS) {
                lost++;
            }
        }
        long recovered = System.currentTimeMillis() - cleared;
        Map<String, String> ours = Map.of(Ownership.KEY_CONTROLLER, OpenStackCloud.descriptor().controllerId());
        long deadline = System.currentTimeMillis() + 120_000;
        while (!nova.list(ours).isEmpty() && System.currentTimeMillis() < deadline) {
            OpenStackCleanupWork.trigger();
            Thread.sleep(1000);
        }
        int leaked = nova.list(ours).size();
        long warnings;
        synchronized (log) {
            warnings = log.stream().filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue()).count();
        }
        String row = String.format("| %s for %d s | %d | %d | %d | %d | %.0f s | %d |", what, seconds, lost, leaked,
                peak, duringFault, recovered / 1000.0, warnings);
        System.out.println("FAULT-ROW " + row);
        assertEquals(what + ": builds lost", 0, lost);
        assertEquals(what + ": servers leaked", 0, leaked);
        assertTrue(what + ": peak " + peak + " requests/s", peak <= RATE_LIMIT);
        assertTrue(what + ": " + warnings + " warnings", warnings <= 2);
        return row;
    }

    public void testNovaFaultsAreRiddenOut() throws Exception {
        System.out.println("FAULT-ROW | fault | builds lost | servers leaked | peak requests/s | requests during"
                + " fault | time to recover | WARNING lines |");
        run("503 on every Nova call", Fault.status(503), 20);
        run("connection reset on every Nova call", Fault.reset(), 20);
        run("429 Retry-After 15 on every Nova call", Fault.rateLimited(15), 20);
    }
}
