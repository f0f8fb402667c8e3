package io.jenkins.plugins.openstackagents;

import hudson.model.FreeStyleBuild;
import hudson.model.FreeStyleProject;
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
 * Faults between the plugin and the real Nova, injected by a proxy on 127.0.0.1: builds queued during the fault
 * complete after it, no server is left behind, the request rate stays under the cloud's limit (no retry storm),
 * and the log says what happened once.
 */
public class FaultsIT extends LiveOpenStackTestCase {

    private static final int RATE_LIMIT = 5;

    private FaultProxy novaProxy;
    private FaultProxy keystoneProxy;
    private LogCapture log;

    @Override
    protected void setUp() throws Exception {
        super.setUp();
        novaProxy = FaultProxy.start(os.novaUrl().replaceAll("/v2\\.1/?$", ""));
        keystoneProxy = FaultProxy.start(os.authUrl().replaceAll("/v3/?$", "")).routeThrough(novaProxy);
        log = LogCapture.start();
        hudson.clouds.add(new OpenStackCloud("faulty", keystoneProxy.baseUrl() + "/v3", os.region(), "", "", "",
                os.domain(), os.appCredId(), os.appCredSecret(), true, 0, getURL().toString(), 60, RATE_LIMIT, 10,
                List.of(liveTemplate("small", "faulty", 0))));
    }

    @Override
    protected void tearDown() throws Exception {
        log.close();
        try {
            super.tearDown();
        } finally {
            keystoneProxy.close();
            novaProxy.close();
        }
    }

    /** A fault put in place; {@link #clear} ends it. */
    @FunctionalInterface
    private interface Fault0 {
        Runnable inject();
    }

    private Fault0 onEveryNovaCall(Fault fault) {
        return () -> novaProxy.inject(Match.any(), fault)::clear;
    }

    /**
     * One fault: two builds queued while it lasts {@code seconds}, then it is cleared. Peak requests per second are
     * counted at Nova and Keystone each (the larger is reported); the rate limit applies to both together.
     */
    private String run(String what, Fault0 fault, int seconds) throws Exception {
        log.clear();
        novaProxy.clearCounts();
        keystoneProxy.clearCounts();
        Runnable clear = fault.inject();
        List<Future<FreeStyleBuild>> builds = queueBuilds("faulty", what, 2, "echo ok");
        Thread.sleep(seconds * 1000L);
        int peak = Math.max(novaProxy.peakPerSecond(Match.any()), keystoneProxy.peakPerSecond(Match.any()));
        int duringFault = novaProxy.count(Match.any()) + keystoneProxy.count(Match.any());
        clear.run();
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
        long warnings = log.warnings();
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
        run("503 on every Nova call", onEveryNovaCall(Fault.status(503)), 20);
        run("connection reset on every Nova call", onEveryNovaCall(Fault.reset()), 20);
        run("429 Retry-After 15 on every Nova call", onEveryNovaCall(Fault.rateLimited(15)), 20);
    }

    /**
     * The token expires (Nova answers 401 to it) while Keystone answers 503 to every token request: nothing can be
     * asked until Keystone is back; then a new token is obtained and the builds run.
     */
    public void testTokenExpiryWhileKeystoneIsDown() throws Exception {
        // a token is in use before the fault: one build through first
        FreeStyleProject warm = createFreeStyleProject("warm-up");
        warm.setAssignedLabel(hudson.getLabel("faulty"));
        assertBuildStatusSuccess(warm.scheduleBuild2(0).get(5, TimeUnit.MINUTES));
        run("token expired, Keystone 503 on every token request", () -> {
            FaultProxy.Rule down = keystoneProxy.inject(Match.of("POST", ".*/auth/tokens"), Fault.status(503));
            assertTrue("a token was in use", novaProxy.expireTokens() > 0);
            return down::clear;
        }, 30);
        int renewals = keystoneProxy.count("POST", ".*/auth/tokens", 201);
        assertTrue("a new token after the fault: " + renewals, renewals >= 1);
    }

    /**
     * Nova refuses every delete (500) for a minute: the builds run meanwhile, their servers keep counting against
     * the quota, and the cleanup deletes them once Nova does.
     */
    public void testDeletesFailingForAMinute() throws Exception {
        run("500 on every server delete", () -> novaProxy.inject(Match.of("DELETE", ".*/servers/[^/]+"),
                Fault.status(500))::clear, 60);
    }

    /** Nova answers later than the client's read timeout (30 s): calls time out, are paused, nothing leaks. */
    public void testAnswersSlowerThanTheClientTimeout() throws Exception {
        run("every Nova answer 40 s late (read timeout 30 s)", onEveryNovaCall(Fault.delay(Duration.ofSeconds(40))),
                60);
    }

    /** Nova unreachable for minutes: every connection closed unanswered. */
    public void testNovaUnreachableForMinutes() throws Exception {
        run("Nova unreachable (connections closed unanswered)", onEveryNovaCall(Fault.drop()), 150);
    }
}
