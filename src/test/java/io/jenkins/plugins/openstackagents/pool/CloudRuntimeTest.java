package io.jenkins.plugins.openstackagents.pool;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.jenkins.plugins.openstackagents.LogCapture;
import io.jenkins.plugins.openstackagents.nova.ComputeException;
import io.jenkins.plugins.openstackagents.nova.ConnectionSettings;
import io.jenkins.plugins.openstackagents.nova.InMemoryCompute;
import io.jenkins.plugins.openstackagents.nova.Server;
import io.jenkins.plugins.openstackagents.nova.ServerRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.Test;

/** Launch and release against the in-memory Nova, on a virtual clock that the waits advance. */
public class CloudRuntimeTest {

    /** A clock that moves only when the code under test sleeps. */
    static final class VirtualClock extends Clock {
        Instant now = Instant.parse("2026-11-23T10:00:00Z");
        final List<Duration> sleeps = new ArrayList<>();

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }

        void sleep(Duration d) {
            sleeps.add(d);
            now = now.plus(d);
        }
    }

    private final VirtualClock clock = new VirtualClock();
    private final InMemoryCompute nova = new InMemoryCompute(clock);
    private final CloudRuntime rt = unpaced(new CloudRuntime("os", "ctl", s -> nova, clock, clock::sleep));

    /** The runtime connected, sole user of its project, with no request rate to speak of: no pacing in a test. */
    static CloudRuntime unpaced(CloudRuntime r) {
        r.setRequestsPerSecond(10_000);
        r.assumeSoleUser();
        r.connect(new ConnectionSettings("https://k.example.com/v3", null,
                new ConnectionSettings.ApplicationCredential("id", "secret"), true, null, null));
        return r;
    }

    private static ServerRequest request(String name) {
        return new ServerRequest(name, "1", "img-1", List.of(), null, List.of(), null, "#!/bin/sh\n",
                new Ownership("ctl", "os", "t", name).toMetadata());
    }

    /** One cleanup pass, every server of the ledger having its agent (so none is taken for a leak). */
    static void cleanup(CloudRuntime rt) {
        Map<String, String> agents = new java.util.HashMap<>();
        for (Ledger.Entry e : rt.ledger().entries()) {
            agents.put(e.name(), e.serverId());
        }
        rt.janitor().pass(agents, t -> null);
    }

    private String reserveOne() throws ComputeException {
        Planner.Plan p = rt.plan(new Planner.Request("t", new Quota(1, 1, 512), 1, 0), 0, () -> "srv-" + clock.now);
        assertEquals(1, p.reserved().size());
        return p.reserved().get(0);
    }

    /**
     * Nova refuses every delete while its lists work: the outage is one WARNING when it starts and one INFO when
     * deletes work again, not a WARNING per retry each time a list in between has answered.
     */
    @Test
    public void deletesFailingWhileListsWorkAreLoggedOnce() throws Exception {
        String name = reserveOne();
        TestLaunch.launch(rt, name, request(name), Duration.ofMinutes(10));
        for (int i = 0; i < 4; i++) {
            nova.failNext(InMemoryCompute.Op.DELETE, new ComputeException(ComputeException.Kind.TRANSIENT,
                    "Nova answered 500 to DELETE"));
        }
        List<String> warnings;
        long answersAgain;
        try (LogCapture log = LogCapture.start()) {
            rt.release(name, "test");
            for (int pass = 0; pass < 5; pass++) { // each pass: a list that works, then the delete sent again
                clock.sleep(Duration.ofSeconds(70));
                cleanup(rt);
            }
            warnings = log.lines().stream().filter(l -> l.startsWith("WARNING ")).toList();
            answersAgain = log.containing("answers again (after 4 failed calls)");
        }
        assertEquals(warnings.toString(), 1, warnings.size());
        assertTrue(warnings.get(0), warnings.get(0).contains("500"));
        assertEquals("answers again once", 1, answersAgain);
        assertEquals(5, nova.calls(InMemoryCompute.Op.DELETE));
        assertTrue("deleted in the end", nova.servers().isEmpty() || rt.ledger().get(name).get().deleteAccepted());
    }

    /**
     * While requests are paused after a failure, a plan reserves nothing, so no launch is started only to be
     * refused by the pause (and logged) every time NodeProvisioner or the fast path looks; once it ends, it does.
     */
    @Test
    public void noReservationWhileRequestsArePaused() throws Exception {
        String first = reserveOne();
        nova.failNext(InMemoryCompute.Op.CREATE, new ComputeException(ComputeException.Kind.RATE_LIMITED,
                "Nova answered 429", Duration.ofSeconds(15), null));
        try {
            rt.create(first, request(first));
            fail("429");
        } catch (ComputeException expected) {
        }
        Planner.Request r = new Planner.Request("t", new Quota(1, 1, 512), 1, 0);
        clock.sleep(Duration.ofSeconds(14));
        Planner.Plan p = rt.plan(r, 0, () -> "srv-" + clock.now);
        assertEquals(Planner.Bound.PAUSED, p.bound());
        assertTrue(p.reserved().isEmpty());
        clock.sleep(Duration.ofSeconds(2));
        assertEquals(1, rt.plan(r, 0, () -> "srv-" + clock.now).reserved().size());
    }

    /**
     * The cloud's own cap, when it is what keeps demand waiting, is said once when it starts and once when it ends,
     * however many rounds ask meanwhile; the quota is not blamed for it.
     */
    @Test
    public void waitingAtTheCloudCapIsLoggedOncePerChange() throws Exception {
        Planner.Request r = new Planner.Request("t", new Quota(1, 1, 512), 1, 0);
        try (LogCapture log = LogCapture.start()) {
            String first = rt.plan(r, 1, () -> "srv-1").reserved().get(0);
            for (int i = 0; i < 5; i++) {
                assertEquals(Planner.Bound.CLOUD_CAP, rt.plan(r, 1, () -> "srv-x").bound());
            }
            assertEquals(log.lines().toString(), 1, log.containing("is at its instance cap of 1 servers, waiting"));
            assertEquals(0, log.containing("Quota exhausted"));
            rt.cancel(first);
            assertEquals(1, rt.plan(r, 1, () -> "srv-2").reserved().size());
            rt.plan(r, 2, () -> "srv-3");
            assertEquals(log.lines().toString(), 1, log.containing("is below its instance cap again"));
        }
    }

    /** A deletion watch of a Jenkins that is shutting down stops without asking Nova again. */
    @Test
    public void anAbandonedDeletionWatchAsksNovaNothingMore() throws Exception {
        nova.deleteTime(Duration.ofSeconds(30));
        String name = reserveOne();
        TestLaunch.launch(rt, name, request(name), Duration.ofMinutes(10));
        rt.release(name, "test");
        int lists = nova.calls(InMemoryCompute.Op.LIST);
        boolean[] shuttingDown = {false};
        clock.sleeps.clear();
        assertFalse(rt.awaitGone(name, Duration.ofMinutes(2), () -> {
            boolean was = shuttingDown[0];
            shuttingDown[0] = true; // Jenkins starts shutting down during the first pause
            return was;
        }));
        assertEquals("one look, then none", lists + 1, nova.calls(InMemoryCompute.Op.LIST));
        assertEquals(2, clock.sleeps.size());
        assertEquals("still counted until a cleanup sees it gone", Ledger.State.DELETING,
                rt.ledger().get(name).get().state());
    }

    @Test
    public void launchWatchesWithAGrowingIntervalUntilActive() throws Exception {
        nova.bootTime(Duration.ofSeconds(20));
        String name = reserveOne();
        int before = nova.calls(InMemoryCompute.Op.LIST); // the first plan's reconcile
        Server s = TestLaunch.launch(rt, name, request(name), Duration.ofMinutes(10));
        assertEquals(Server.Status.ACTIVE, s.status());
        assertEquals(Ledger.State.RUNNING, rt.ledger().get(name).get().state());
        // 2 + 4 + 8 + 15 s: four looks for a 20 s boot, not twenty, and none right after the 202
        assertEquals(List.of(Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8),
                Duration.ofSeconds(15)), clock.sleeps);
        assertEquals(4, nova.calls(InMemoryCompute.Op.LIST) - before);
        assertEquals("a look is one list of the cloud's servers", 0, nova.calls(InMemoryCompute.Op.FIND));
    }

    @Test
    public void aWatchEndsWithoutAskingNovaOnceTheAgentHasConnected() throws Exception {
        nova.bootTime(Duration.ofSeconds(20));
        String name = reserveOne();
        int before = nova.calls(InMemoryCompute.Op.LIST) + nova.calls(InMemoryCompute.Op.FIND);
        Server created = rt.create(name, request(name));
        rt.awaitActive(name, created, Duration.ofMinutes(10), () -> true);
        assertEquals(Ledger.State.RUNNING, rt.ledger().get(name).get().state());
        assertEquals(before, nova.calls(InMemoryCompute.Op.LIST) + nova.calls(InMemoryCompute.Op.FIND));
    }

    @Test
    public void oneListAnswersEveryWatchAndTheNextCleanupButNotTwoCleanups() throws Exception {
        for (int i = 0; i < 3; i++) {
            String name = reserveOne();
            rt.create(name, request(name));
            clock.sleep(Duration.ofSeconds(1));
        }
        int base = nova.calls(InMemoryCompute.Op.LIST); // the first plan's reconcile
        Instant t = clock.instant();
        Listing first = rt.snapshots().servers(t);
        assertEquals(3, first.byId().size());
        assertSame("a second watch due at the same moment", first, rt.snapshots().servers(t));
        assertEquals(1, nova.calls(InMemoryCompute.Op.LIST) - base);
        clock.sleep(Duration.ofSeconds(10));
        Listing later = rt.snapshots().servers(clock.instant());
        assertSame(later, rt.snapshots().servers(clock.instant()));
        assertEquals("a watch due later asks again", 2, nova.calls(InMemoryCompute.Op.LIST) - base);
        cleanup(rt);
        assertEquals("the cleanup decides from a list at most 30 s old", 2,
                nova.calls(InMemoryCompute.Op.LIST) - base);
        cleanup(rt);
        assertEquals("two passes are two looks at Nova", 3, nova.calls(InMemoryCompute.Op.LIST) - base);
        clock.sleep(Duration.ofSeconds(31));
        cleanup(rt);
        assertEquals(4, nova.calls(InMemoryCompute.Op.LIST) - base);
    }

    @Test
    public void bootTimeoutDeletesTheServerWhichStaysCountedUntilGone() throws Exception {
        nova.bootTime(Duration.ofHours(1)).deleteTime(Duration.ofSeconds(5));
        String name = reserveOne();
        try {
            TestLaunch.launch(rt, name, request(name), Duration.ofMinutes(2));
            fail();
        } catch (ComputeException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("boot timeout 120 s exceeded"));
        }
        assertEquals(Ledger.State.DELETING, rt.ledger().get(name).get().state());
        cleanup(rt);
        assertTrue("still deleting", rt.ledger().get(name).isPresent());
        clock.sleep(Duration.ofSeconds(6));
        cleanup(rt);
        assertFalse(rt.ledger().get(name).isPresent());
        assertEquals(1, nova.calls(InMemoryCompute.Op.DELETE));
    }

    @Test
    public void lateOverQuotaErrorIsAQuotaErrorAndTheServerIsDeleted() throws Exception {
        InMemoryCompute.Op limits = InMemoryCompute.Op.LIMITS;
        // the plan sees room; then another controller's create takes it, as in a race Nova loses
        nova.lateQuotaFailures(true).quota(1, -1, -1);
        String name = reserveOne();
        nova.quota(0, -1, -1);
        try {
            TestLaunch.launch(rt, name, request(name), Duration.ofMinutes(10));
            fail();
        } catch (ComputeException e) {
            assertEquals(ComputeException.Kind.QUOTA_EXCEEDED, e.getKind());
            assertTrue(e.getMessage(), e.getMessage().contains("fault 413"));
        }
        assertEquals(Ledger.State.DELETING, rt.ledger().get(name).get().state());
        assertEquals(1, nova.calls(InMemoryCompute.Op.DELETE));
        // limits are read again at once after a quota error
        rt.snapshots().limits();
        assertEquals(2, nova.calls(limits));
    }

    @Test
    public void refusedCreateGivesTheReservationBack() throws Exception {
        String name = reserveOne();
        nova.failNext(InMemoryCompute.Op.CREATE, new ComputeException(ComputeException.Kind.QUOTA_EXCEEDED,
                "Quota exceeded for instances: Requested 1, but already used 10 of 10 instances"));
        try {
            TestLaunch.launch(rt, name, request(name), Duration.ofMinutes(10));
            fail();
        } catch (ComputeException e) {
            assertEquals(ComputeException.Kind.QUOTA_EXCEEDED, e.getKind());
        }
        assertTrue(rt.ledger().entries().isEmpty());
    }

    @Test
    public void failedDeleteIsRetriedAndCountedUntilGone() throws Exception {
        String name = reserveOne();
        TestLaunch.launch(rt, name, request(name), Duration.ofMinutes(10));
        nova.failNext(InMemoryCompute.Op.DELETE, new ComputeException(ComputeException.Kind.TRANSIENT, "HTTP 503"));
        rt.release(name, "test");
        assertFalse(rt.ledger().get(name).get().deleteAccepted());
        // the 503 paused every request to the cloud: no retry before the pause ends
        cleanup(rt);
        assertFalse(rt.ledger().get(name).get().deleteAccepted());
        assertTrue(rt.pauseReason(), rt.pauseReason().contains("HTTP 503"));
        clock.sleep(Duration.ofSeconds(4));
        cleanup(rt);
        assertTrue(rt.ledger().get(name).get().deleteAccepted());
        clock.sleep(Duration.ofSeconds(1));
        cleanup(rt);
        assertTrue(rt.ledger().entries().isEmpty());
        assertEquals(2, nova.calls(InMemoryCompute.Op.DELETE));
    }

    @Test
    public void limitsAreReadOncePerInterval() throws Exception {
        rt.snapshots().limits();
        rt.snapshots().limits();
        clock.sleep(Duration.ofSeconds(59));
        rt.snapshots().limits();
        assertEquals(1, nova.calls(InMemoryCompute.Op.LIMITS));
        clock.sleep(Duration.ofSeconds(1));
        rt.snapshots().limits();
        assertEquals(2, nova.calls(InMemoryCompute.Op.LIMITS));
    }
}
