package io.jenkins.plugins.openstackagents.pool;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.jenkins.plugins.openstackagents.nova.ComputeException;
import io.jenkins.plugins.openstackagents.nova.ConnectionSettings;
import io.jenkins.plugins.openstackagents.nova.InMemoryCompute;
import io.jenkins.plugins.openstackagents.nova.ServerRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.Test;

/**
 * The quota matrix (after nodepool's test_node_assignment_at_cloud_*_quota): demand above what the cloud can
 * hold, and in every case the exact number of create requests, none of them refused by Nova.
 */
public class QuotaMatrixTest {

    private static final Quota SMALL = new Quota(1, 1, 512);   // flavor 1
    private static final Quota MEDIUM = new Quota(1, 2, 2048); // flavor 2

    private final CloudRuntimeTest.VirtualClock clock = new CloudRuntimeTest.VirtualClock();
    private final InMemoryCompute nova = new InMemoryCompute(clock);
    private final AtomicInteger seq = new AtomicInteger();

    private CloudRuntime runtime(String controller) {
        CloudRuntime rt = sharing(controller);
        rt.assumeSoleUser();
        return rt;
    }

    /** A runtime as Jenkins makes it: it does not know whether another controller uses the project. */
    private CloudRuntime sharing(String controller) {
        CloudRuntime rt = new CloudRuntime("os", controller, s -> nova, clock, clock::sleep);
        rt.setRequestsPerSecond(10_000);
        rt.connect(new ConnectionSettings("https://k.example.com/v3", null,
                new ConnectionSettings.ApplicationCredential("id", "s"), true, null, null));
        return rt;
    }

    private final CloudRuntime rt = runtime("ctl-a");

    /** One provisioning round: plan, then create and boot each reserved server. Returns how many started. */
    private int round(CloudRuntime r, String template, Quota each, String flavor, int wanted, int templateCap,
                      int cloudCap) throws Exception {
        Planner.Plan plan = r.plan(new Planner.Request(template, each, wanted, templateCap), cloudCap,
                () -> "os-" + template + "-" + seq.incrementAndGet());
        int started = 0;
        for (String name : plan.reserved()) {
            Ownership o = new Ownership("ctl-a", "os", template, name);
            TestLaunch.launch(r, name, new ServerRequest(name, flavor, "img-1", List.of(), null, List.of(), null, "", o.toMetadata()),
                    Duration.ofMinutes(10));
            started++;
        }
        return started;
    }

    private int round(String template, Quota each, String flavor, int wanted) throws Exception {
        return round(rt, template, each, flavor, wanted, 0, 0);
    }

    private void assertCreates(int expected) {
        assertEquals("create requests", expected, nova.calls(InMemoryCompute.Op.CREATE));
        assertEquals("refused creates", 0, nova.refusedCreates());
    }

    @Test
    public void atInstancesQuota() throws Exception {
        nova.quota(3, -1, -1);
        assertEquals(3, round("t", SMALL, "1", 10));
        for (int i = 0; i < 30; i++) { // five minutes of 10 s rounds with the demand still there
            clock.sleep(Duration.ofSeconds(10));
            assertEquals(0, round("t", SMALL, "1", 10));
        }
        assertCreates(3);
        assertTrue("limits read at most once a minute", nova.calls(InMemoryCompute.Op.LIMITS) <= 6);
    }

    @Test
    public void atCoresQuota() throws Exception {
        nova.quota(-1, 5, -1);
        assertEquals(2, round("t", MEDIUM, "2", 10));
        assertCreates(2);
    }

    @Test
    public void atRamQuota() throws Exception {
        nova.quota(-1, -1, 1536);
        assertEquals(3, round("t", SMALL, "1", 10));
        assertCreates(3);
    }

    @Test
    public void unlimitedQuotaServesAllDemand() throws Exception {
        nova.quota(-1, -1, -1);
        assertEquals(7, round("t", SMALL, "1", 7));
        assertCreates(7);
    }

    @Test
    public void cloudAndTemplateCaps() throws Exception {
        nova.quota(-1, -1, -1);
        assertEquals(1, round(rt, "a", SMALL, "1", 5, 1, 3));
        assertEquals(2, round(rt, "b", SMALL, "1", 5, 0, 3));
        assertEquals(0, round(rt, "b", SMALL, "1", 5, 0, 3));
        assertCreates(3);
    }

    @Test
    public void mixedFlavorsShareTheCores() throws Exception {
        nova.quota(-1, 5, -1);
        assertEquals(3, round("small", SMALL, "1", 3));
        assertEquals(1, round("medium", MEDIUM, "2", 3));
        assertEquals(0, round("small", SMALL, "1", 3));
        assertCreates(4);
    }

    @Test
    public void deletingServersCountUntilNovaDropsThem() throws Exception {
        nova.quota(2, -1, -1).deleteTime(Duration.ofSeconds(30));
        assertEquals(2, round("t", SMALL, "1", 2));
        String first = rt.ledger().entries().get(0).name();
        rt.release(first, "used");
        for (int i = 0; i < 2; i++) {
            clock.sleep(Duration.ofSeconds(10));
            CloudRuntimeTest.cleanup(rt);
            assertEquals("no replacement while Nova still counts the deleted one", 0, round("t", SMALL, "1", 2));
        }
        clock.sleep(Duration.ofSeconds(11));
        CloudRuntimeTest.cleanup(rt);
        assertEquals(1, round("t", SMALL, "1", 2));
        assertCreates(3);
    }

    @Test
    public void deletionsLearnedAfterALaterLimitsReadAreNotFreedTwice() throws Exception {
        nova.quota(2, -1, -1).deleteTime(Duration.ofSeconds(1));
        assertEquals(2, round("t", SMALL, "1", 2));
        for (Ledger.Entry e : rt.ledger().entries()) {
            rt.release(e.name(), "used");
        }
        // Nova drops both within a second; the next limits read (a minute later) sees none used; only then does
        // the cleanup learn of the 404s
        clock.sleep(Duration.ofSeconds(61));
        rt.snapshots().limits();
        CloudRuntimeTest.cleanup(rt);
        assertEquals(2, round("t", SMALL, "1", 4));
        assertCreates(4);
    }

    @Test
    public void anotherControllerUsingTheSameQuota() throws Exception {
        nova.quota(3, -1, -1);
        nova.addForeign("other-1", "1", Map.of());
        nova.addForeign("other-2", "1", Map.of());
        assertEquals(1, round("t", SMALL, "1", 5));
        assertCreates(1);
    }

    /**
     * Nova counts a server only once its scheduler has placed it: a limits read sent after the create was answered
     * can still say 0 used (seen on the real Nova: one server created, a provisioning round the same second
     * reserved the whole quota of 3 again, and Nova failed the fourth server late with 413). A server the plugin
     * created stays counted by the plugin until Nova's figures show it.
     */
    @Test
    public void aServerNovaDoesNotCountYetStillHoldsItsRoom() throws Exception {
        nova.quota(3, -1, -1).countsAfter(Duration.ofSeconds(90)).bootTime(Duration.ofSeconds(120));
        Planner.Plan first = rt.plan(new Planner.Request("t", SMALL, 1, 0), 0, () -> "os-t-first");
        rt.create("os-t-first", new ServerRequest("os-t-first", "1", "img-1", List.of(), null, List.of(), null, "",
                new Ownership("ctl-a", "os", "t", "os-t-first").toMetadata()));
        assertEquals(1, first.reserved().size());
        clock.sleep(Duration.ofSeconds(61)); // the next plan reads the limits again: Nova still counts 0
        assertEquals("Nova does not count the first server yet", 0, nova.limits().usedInstances());
        assertEquals(2, round("t", SMALL, "1", 10));
        for (int i = 0; i < 30; i++) { // five more minutes of rounds: the first server is counted by Nova now
            clock.sleep(Duration.ofSeconds(10));
            CloudRuntimeTest.cleanup(rt);
            assertEquals(0, round("t", SMALL, "1", 10));
        }
        assertCreates(3);
        assertEquals("servers failed late with 413", 0, nova.lateQuotaFailures());
    }

    @Test
    public void lateOverQuotaFailurePausesCreatesThenResumes() throws Exception {
        nova.quota(2, -1, -1).lateQuotaFailures(true);
        // both controllers read the same free slot, then both create: Nova accepts both and fails one late
        Planner.Plan mine = rt.plan(new Planner.Request("t", SMALL, 1, 0), 0, () -> "os-t-mine");
        nova.addForeign("other-racer", "1", Map.of());
        nova.addForeign("other-racer-2", "1", Map.of());
        try {
            TestLaunch.launch(rt, mine.reserved().get(0), new ServerRequest("os-t-mine", "1", "img-1", List.of(), null, List.of(), null,
                    "", new Ownership("ctl-a", "os", "t", "os-t-mine").toMetadata()), Duration.ofMinutes(10));
            fail("expected the late 413");
        } catch (ComputeException e) {
            assertEquals(ComputeException.Kind.QUOTA_EXCEEDED, e.getKind());
        }
        assertEquals(Ledger.State.DELETING, rt.ledger().get("os-t-mine").get().state());
        // paused: nothing is asked of Nova, not even the limits
        int limitsReads = nova.calls(InMemoryCompute.Op.LIMITS);
        assertEquals(Planner.Bound.PAUSED, rt.plan(new Planner.Request("t", SMALL, 1, 0), 0, () -> "x").bound());
        assertEquals(limitsReads, nova.calls(InMemoryCompute.Op.LIMITS));
        // the other controller's servers go; after the pause, limits are read again and creates resume
        for (var s : nova.servers()) {
            nova.delete(s.id());
        }
        clock.sleep(Duration.ofSeconds(31));
        CloudRuntimeTest.cleanup(rt);
        assertEquals(1, round("t", SMALL, "1", 1));
        assertEquals(limitsReads + 1, nova.calls(InMemoryCompute.Op.LIMITS));
    }

    @Test
    public void restartWithServersInFlightCountsThemAgain() throws Exception {
        nova.quota(-1, -1, -1).bootTime(Duration.ofSeconds(1));
        assertEquals(2, round(rt, "t", SMALL, "1", 2, 0, 3));
        nova.addForeign("someone-else", "1", Map.of("openstack-agents.controller", "ctl-z"));
        // a new runtime for the same controller, as after a Jenkins restart: its ledger is rebuilt from Nova,
        // so the cloud cap of 3 leaves room for one more, not three; the other controller's server is not ours
        CloudRuntime restarted = runtime("ctl-a");
        assertEquals(1, round(restarted, "t", SMALL, "1", 5, 0, 3));
        assertEquals(3, restarted.ledger().entries().size());
        assertEquals(SMALL, restarted.ledger().entries().get(0).resources());
        assertCreates(3);
    }

    /**
     * Two controllers on one project (quota 3), each with 8 builds of 20 s queued at the same moment: both read the
     * limits before either has created anything. Creates go one at a time, a jittered pause apart, while Nova counts
     * servers a controller did not start: Nova refuses none, both start their first server at once, and both
     * finish. Each build holds its server from the create until 20 s later; the cleanup runs every 2 s.
     */
    @Test
    public void twoControllersStartingTogetherShareTheRoomWithoutARefusal() throws Exception {
        nova.quota(3, -1, -1);
        List<CloudRuntime> controllers = List.of(sharing("ctl-a"), sharing("ctl-b"));
        Map<CloudRuntime, Map<String, java.time.Instant>> running = new java.util.HashMap<>();
        Map<CloudRuntime, Integer> started = new java.util.HashMap<>();
        Map<String, Double> firstStart = new java.util.TreeMap<>();
        java.time.Instant t0 = clock.instant();
        Map<CloudRuntime, LimitsSnapshot> together = new java.util.HashMap<>();
        for (CloudRuntime c : controllers) {
            running.put(c, new java.util.LinkedHashMap<>());
            started.put(c, 0);
            together.put(c, c.prepare()); // the same moment: both read before either creates
        }
        for (int tick = 0; tick < 4 * 600 && (started.get(controllers.get(0)) < 8 || started.get(controllers.get(1)) < 8
                || !running.get(controllers.get(0)).isEmpty() || !running.get(controllers.get(1)).isEmpty()); tick++) {
            for (CloudRuntime c : tick % 2 == 0 ? controllers : List.of(controllers.get(1), controllers.get(0))) {
                int wanted = 8 - started.get(c);
                if (wanted > 0) {
                    LimitsSnapshot l = tick == 0 ? together.get(c) : c.prepare();
                    Planner.Plan plan = c.reserve(new Planner.Request("t", SMALL, wanted, 0), 0,
                            () -> c.controllerId() + "-" + seq.incrementAndGet(), l);
                    for (String name : plan.reserved()) {
                        try {
                            c.create(name, new ServerRequest(name, "1", "img-1", List.of(), null, List.of(), null, "",
                                    new Ownership(c.controllerId(), "os", "t", name).toMetadata()));
                            running.get(c).put(name, clock.instant());
                            started.merge(c, 1, Integer::sum);
                            firstStart.putIfAbsent(c.controllerId(), Duration.between(t0, clock.instant()).toMillis() / 1000.0);
                        } catch (ComputeException refused) {
                            // counted by Nova; the runtime pauses its creates
                        }
                    }
                }
                running.get(c).entrySet().removeIf(r -> {
                    if (clock.instant().isBefore(r.getValue().plusSeconds(20))) {
                        return false;
                    }
                    c.release(r.getKey(), "build finished");
                    return true;
                });
                if (c.cleanupDue(Duration.ofSeconds(2))) {
                    Map<String, String> agents = new java.util.HashMap<>();
                    for (String name : running.get(c).keySet()) {
                        agents.put(name, c.ledger().get(name).get().serverId());
                    }
                    c.janitor().pass(agents, t -> null);
                }
            }
            clock.sleep(Duration.ofMillis(250));
        }
        System.out.println("TIMING two controllers: first start " + firstStart + " s, done after "
                + Duration.between(t0, clock.instant()).toSeconds() + " s");
        assertEquals("refused creates", 0, nova.refusedCreates());
        for (CloudRuntime c : controllers) {
            assertEquals(c.controllerId() + " ran all its builds", 8, (int) started.get(c));
            assertEquals(c.controllerId() + "'s first start", 0.0, firstStart.get(c.controllerId()), 0.0);
        }
    }
}
