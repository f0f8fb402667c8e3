package io.jenkins.plugins.openstackagents.nova;

import static org.hamcrest.CoreMatchers.containsString;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.jenkins.plugins.openstackagents.nova.ComputeException.Kind;
import io.jenkins.plugins.openstackagents.nova.ConnectionSettings.Password;
import io.jenkins.plugins.openstackagents.nova.FaultProxy.Fault;
import io.jenkins.plugins.openstackagents.nova.FaultProxy.Match;
import io.jenkins.plugins.openstackagents.nova.Openstack4jComputeTest.StubCloud;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * {@link FaultProxy} in front of the Keystone/Nova stub of {@link Openstack4jComputeTest}: every fault it injects
 * reaches {@link Openstack4jCompute} as the right {@link Kind}, and the proxy counts what it saw.
 */
public class FaultProxyTest {

    private static final Match LIMITS = Match.of("GET", ".*/limits");
    private static final Match CREATE = Match.of("POST", ".*/servers");
    private static final String QUOTA_MESSAGE =
            "Quota exceeded for instances: Requested 1, but already used 3 of 3 instances";
    private static final Limits STUB_LIMITS = new Limits(3, 1, -1, 1, 4096, 512);

    private StubCloud cloud;
    private FaultProxy proxy;
    private final List<FaultProxy> others = new ArrayList<>();

    @Before
    public void start() throws Exception {
        cloud = StubCloud.http();
        proxy = FaultProxy.start(cloud.base);
    }

    @After
    public void stop() {
        others.forEach(FaultProxy::close);
        proxy.close();
        cloud.close();
    }

    // ------------------------------------------------------------------------------------------- pass-through

    @Test
    public void passesEverythingThroughAndTheCatalogLeadsBackToTheProxy() throws Exception {
        Compute c = compute(proxy.baseUrl());

        assertEquals(STUB_LIMITS, c.limits());
        assertEquals(List.of(new Network("net-1", "private")), c.networks());
        Server s = c.create(new ServerRequest("agent-1", "1", "img-1", List.of(), null, List.of(), null, "#!/bin/sh\n",
                Map.of("jenkins-node", "agent-1")));
        assertEquals(Server.Status.BUILD, c.find(s.id()).orElseThrow().status());
        assertTrue(c.delete(s.id()));

        assertEquals(1, proxy.count("POST", "/identity/v3/auth/tokens", 201));
        assertEquals(1, proxy.count("GET", "/compute/v2.1/limits", 200));
        assertEquals(1, proxy.count("GET", "/network/v2.0/networks", 200));
        assertEquals(1, proxy.count("POST", "/compute/v2.1/servers", 202));
        assertEquals(1, proxy.count("GET", "/compute/v2.1/servers/" + s.id(), 200));
        assertEquals(1, proxy.count("DELETE", "/compute/v2.1/servers/" + s.id(), 204));
        assertEquals("every request went through the proxy", cloud.recorded.size(), proxy.count(Match.any()));
        assertEquals("agent-1", cloud.only("POST", "/compute/v2.1/servers").json().path("server").path("name")
                .asText());
    }

    @Test
    public void rewritesOnlyWhereTheUrlEnds() {
        proxy.rewrite("http://127.0.0.1:8774", "http://127.0.0.1:1/nova");

        assertEquals("{\"url\": \"http://127.0.0.1:1/nova/v2.1\", \"other\": \"http://127.0.0.1:87745/v2.1\", "
                        + "\"self\": \"" + proxy.baseUrl() + "/identity/v3\"}",
                proxy.rewrite("{\"url\": \"http://127.0.0.1:8774/v2.1\", \"other\": \"http://127.0.0.1:87745/v2.1\", "
                        + "\"self\": \"" + cloud.base + "/identity/v3\"}"));
    }

    // ------------------------------------------------------------------------------------------- faults

    @Test
    public void serverError500IsTransientAndNotForwarded() throws Exception {
        Compute c = compute(proxy.baseUrl());
        proxy.inject(LIMITS, Fault.status(500));

        ComputeException e = assertThrows(ComputeException.class, c::limits);

        assertEquals(Kind.TRANSIENT, e.getKind());
        assertThat(e.getMessage(), containsString("Nova answered 500 to read the project's limits: Unexpected API"));
        assertEquals(1, proxy.count("GET", "/compute/v2.1/limits", 500));
        assertTrue("the stub never saw it", cloud.requests("GET", "/compute/v2.1/limits").isEmpty());
    }

    @Test
    public void serviceUnavailable503IsTransientForAsManyRequestsAsInjected() throws Exception {
        Compute c = compute(proxy.baseUrl());
        FaultProxy.Rule twice = proxy.inject(LIMITS, Fault.status(503), 2);

        for (int i = 0; i < 2; i++) {
            ComputeException e = assertThrows(ComputeException.class, c::limits);
            assertEquals(Kind.TRANSIENT, e.getKind());
            assertEquals("Nova answered 503 to read the project's limits: Service Unavailable.", e.getMessage());
        }
        assertEquals(STUB_LIMITS, c.limits());

        assertTrue(twice.done());
        assertEquals(2, twice.hits());
        assertEquals(2, proxy.count("GET", ".*/limits", 503));
        assertEquals(1, proxy.count("GET", ".*/limits", 200));
        assertEquals(3, proxy.count(LIMITS));
    }

    @Test
    public void connectionResetIsTransient() throws Exception {
        Compute c = compute(proxy.baseUrl());
        proxy.inject(LIMITS, Fault.reset());

        ComputeException e = assertThrows(ComputeException.class, c::limits);

        assertEquals(Kind.TRANSIENT, e.getKind());
        assertThat(e.getMessage(), containsString("Cannot reach " + proxy.baseUrl() + "/compute/v2.1: "));
        assertThat(e.getMessage(), containsString("Connection reset"));
        assertEquals("openstack4j's fresh OkHttp connection is not retried behind our back",
                1, proxy.count(LIMITS, FaultProxy.NO_ANSWER));
        assertEquals(1, proxy.count(LIMITS));

        proxy.clearFaults();
        assertEquals(STUB_LIMITS, c.limits());
    }

    @Test
    public void connectionClosedWithoutAnAnswerIsTransient() throws Exception {
        Compute c = compute(proxy.baseUrl());
        proxy.inject(LIMITS, Fault.drop());

        ComputeException e = assertThrows(ComputeException.class, c::limits);

        assertEquals(Kind.TRANSIENT, e.getKind());
        assertEquals("Cannot reach " + proxy.baseUrl() + "/compute/v2.1: the connection was closed without an answer.",
                e.getMessage());
        assertEquals(1, proxy.count(LIMITS, FaultProxy.NO_ANSWER));
        assertEquals(1, proxy.count(LIMITS));
    }

    @Test
    public void answerLaterThanTheReadTimeoutIsTransient() throws Exception {
        Compute c = compute(proxy.baseUrl());
        proxy.inject(LIMITS, Fault.delay(Duration.ofMillis(1800)), 1);

        long t0 = System.nanoTime();
        ComputeException e = assertThrows(ComputeException.class, c::limits);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

        assertEquals(Kind.TRANSIENT, e.getKind());
        assertEquals("Cannot reach " + proxy.baseUrl() + "/compute/v2.1: no answer within the read timeout.",
                e.getMessage());
        assertTrue("gave up after the 1 s read timeout, not the 1.8 s delay: " + tookMillis, tookMillis < 1700);
        assertEquals(1, proxy.count(LIMITS));
        assertEquals("a slow service did get the request", 1, cloud.requests("GET", "/compute/v2.1/limits").size());
        assertTrue(proxy.awaitIdle(Duration.ofSeconds(5)));
        assertEquals("the late answer was still sent", 1, proxy.count(LIMITS, 200));
    }

    @Test
    public void rateLimitedWithRetryAfter() throws Exception {
        Compute c = compute(proxy.baseUrl());
        proxy.inject(LIMITS, Fault.rateLimited(7), 1);

        ComputeException e = assertThrows(ComputeException.class, c::limits);

        assertEquals(Kind.RATE_LIMITED, e.getKind());
        assertEquals(Optional.of(Duration.ofSeconds(7)), e.getRetryAfter());
        assertEquals("Nova answered 429 to read the project's limits: This request was rate-limited.",
                e.getMessage());
        assertEquals(1, proxy.count("GET", ".*/limits", 429));
    }

    @Test
    public void quotaExceededOnCreateOnly() throws Exception {
        Compute c = compute(proxy.baseUrl());
        proxy.inject(CREATE, Fault.quotaExceeded(QUOTA_MESSAGE));

        ComputeException e = assertThrows(ComputeException.class, () -> c.create(
                new ServerRequest("agent-1", "1", "img-1", List.of(), null, List.of(), null, null, Map.of())));

        assertEquals(Kind.QUOTA_EXCEEDED, e.getKind());
        assertEquals(QUOTA_MESSAGE, e.getMessage());
        assertEquals("other requests pass", STUB_LIMITS, c.limits());
        assertEquals(List.of("1", "2"), c.flavors().stream().map(Flavor::id).sorted().toList());
        assertEquals(1, proxy.count("POST", "/compute/v2.1/servers", 403));
        assertTrue(cloud.requests("POST", "/compute/v2.1/servers").isEmpty());
    }

    @Test
    public void passThroughRuleExemptsRequestsFromALaterBroaderOne() throws Exception {
        proxy.inject(Match.of("POST", ".*/auth/tokens"), Fault.passThrough());
        proxy.inject(Match.any(), Fault.status(503));

        ComputeException e = assertThrows(ComputeException.class, () -> compute(proxy.baseUrl()).limits());

        assertEquals(Kind.TRANSIENT, e.getKind());
        assertEquals(1, proxy.count("POST", ".*/auth/tokens", 201));
        assertEquals(1, proxy.count("GET", ".*/limits", 503));
    }

    // ------------------------------------------------------------------------------------------- routing

    @Test
    public void catalogRoutesComputeThroughASecondProxy() throws Exception {
        FaultProxy nova = started(FaultProxy.start(cloud.base + "/compute"));
        proxy.routeThrough(nova);
        Compute c = compute(proxy.baseUrl());
        nova.inject(Match.of("GET", "/v2.1/limits"), Fault.status(503), 1);

        assertEquals(Kind.TRANSIENT, assertThrows(ComputeException.class, c::limits).getKind());
        assertEquals(STUB_LIMITS, c.limits());
        assertEquals(List.of(new Network("net-1", "private")), c.networks());

        assertEquals(1, nova.count("GET", "/v2.1/limits", 503));
        assertEquals(1, nova.count("GET", "/v2.1/limits", 200));
        assertEquals("Keystone's proxy saw the token and Neutron, not Nova", 0, proxy.count(LIMITS));
        assertEquals(1, proxy.count("POST", "/identity/v3/auth/tokens", 201));
        assertEquals(1, proxy.count("GET", "/network/v2.0/networks", 200));
    }

    @Test
    public void oneProxyRoutesComputeByPathPrefix() throws Exception {
        proxy.mount("/nova", cloud.base + "/compute");
        Compute c = compute(proxy.baseUrl());
        proxy.inject(Match.of("GET", "/nova/v2.1/limits"), Fault.status(500), 1);

        assertEquals(Kind.TRANSIENT, assertThrows(ComputeException.class, c::limits).getKind());
        assertEquals(STUB_LIMITS, c.limits());

        assertEquals(Map.of("GET /nova/v2.1/limits 200", 1, "GET /nova/v2.1/limits 500", 1,
                "POST /identity/v3/auth/tokens 201", 1), proxy.counts());
        assertEquals("forwarded without the prefix", 1, cloud.requests("GET", "/compute/v2.1/limits").size());
    }

    // ------------------------------------------------------------------------------------------- counters

    @Test
    public void countsRequestsFromManyThreadsAndTheirPeakPerSecond() throws Exception {
        Compute c = compute(proxy.baseUrl());
        c.limits();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Limits>> answers = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                answers.add(pool.submit(c::limits));
            }
            for (Future<Limits> f : answers) {
                assertEquals(STUB_LIMITS, f.get(10, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }

        assertEquals(41, proxy.count(LIMITS, 200));
        assertEquals(41, proxy.exchanges().stream().filter(x -> x.path().endsWith("/limits")).count());
        int peak = proxy.peakPerSecond(LIMITS);
        assertTrue("41 requests in about a second: " + peak, peak >= 10 && peak <= 41);
        assertEquals(1, proxy.peakPerSecond(Match.of("POST", ".*/auth/tokens")));
        assertEquals(0, proxy.rejectedConnections());

        proxy.clearCounts();
        assertEquals(0, proxy.count(Match.any()));
    }

    // ------------------------------------------------------------------------------------------- helpers

    private FaultProxy started(FaultProxy p) {
        others.add(p);
        return p;
    }

    private static Compute compute(String base) {
        return new Openstack4jComputeFactory().connect(new ConnectionSettings(base + "/identity/v3", "RegionOne",
                new Password("jenkins", "secret", "jenkins", "Default"), true, Duration.ofSeconds(2),
                Duration.ofSeconds(1)));
    }
}
