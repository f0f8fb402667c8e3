package io.jenkins.plugins.openstackagents.pool;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;

import io.jenkins.plugins.openstackagents.LogCapture;
import io.jenkins.plugins.openstackagents.nova.ComputeException;
import io.jenkins.plugins.openstackagents.nova.ConnectionSettings;
import io.jenkins.plugins.openstackagents.nova.InMemoryCompute;
import io.jenkins.plugins.openstackagents.nova.Server;
import io.jenkins.plugins.openstackagents.nova.ServerRequest;
import io.jenkins.plugins.openstackagents.nova.WrappedCompute;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.Test;

/** After a restart: the ledger is rebuilt from Nova once, and every server it adopts counts its flavor's resources. */
public class ReconcilerTest {

    private static final ConnectionSettings SETTINGS = new ConnectionSettings("https://k.example.com/v3", null,
            new ConnectionSettings.ApplicationCredential("id", "s"), true, null, null);

    private static Map<String, String> ours(String agent) {
        return new Ownership("ctl", "os", "t", agent).toMetadata();
    }

    /** Nova whose list requests wait until the test lets them answer. */
    private static final class SlowLists extends WrappedCompute {
        final InMemoryCompute nova;
        final CountDownLatch listing = new CountDownLatch(1);
        final CountDownLatch answer = new CountDownLatch(1);
        final AtomicInteger lists = new AtomicInteger();

        SlowLists(InMemoryCompute nova) {
            super(nova);
            this.nova = nova;
        }

        @Override
        protected void before(InMemoryCompute.Op op) {
            if (op != InMemoryCompute.Op.LIST) {
                return;
            }
            lists.incrementAndGet();
            listing.countDown();
            try {
                answer.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    public void theLedgerIsRebuiltOnceAndNobodyWaitsForIt() throws Exception {
        InMemoryCompute nova = new InMemoryCompute();
        nova.addForeign("os-t-a", "1", ours("os-t-a"));
        nova.addForeign("os-t-b", "1", ours("os-t-b"));
        SlowLists slow = new SlowLists(nova);
        CloudRuntime rt = new CloudRuntime("os", "ctl", s -> slow, Clock.systemUTC(), Sleeper.REAL);
        rt.connect(SETTINGS);
        try (LogCapture log = LogCapture.start()) {
            AtomicReference<Object> first = new AtomicReference<>();
            Thread rebuilding = new Thread(() -> {
                try {
                    first.set(rt.prepare());
                } catch (ComputeException e) {
                    first.set(e);
                }
            });
            rebuilding.start();
            slow.listing.await(10, TimeUnit.SECONDS);
            long asked = System.nanoTime();
            assertNull("a second caller plans nothing while the ledger is rebuilt", rt.prepare());
            assertEquals("and does not wait for it",
                    0, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - asked));
            assertEquals(Optional.empty(), rt.janitor().pass(Map.of(), t -> null));
            assertEquals("one list request: the rebuild's", 1, slow.lists.get());

            slow.answer.countDown();
            rebuilding.join(10_000);
            assertNotNull("the first caller planned once the ledger was rebuilt", first.get());
            assertEquals(2, rt.ledger().entries().size());
            rt.janitor().pass(Map.of("os-t-a", rt.ledger().get("os-t-a").get().serverId(),
                    "os-t-b", rt.ledger().get("os-t-b").get().serverId()), t -> null);
            assertEquals(log.lines().toString(), 1, log.containing("found 2 server(s) of this controller"));
        }
    }

    /**
     * A cores-bound quota (4 cores, flavors of 2) full of servers of a previous run: one whose agent is removed
     * before anything else asked Nova (the rebuild happens first), one the cleanup finds leaked. The ledger counts
     * the cores Nova counts at every pass, and the servers asked for once they are gone are never refused.
     */
    @Test
    public void serversAdoptedAfterARestartCountTheirFlavorsCores() throws Exception {
        CloudRuntimeTest.VirtualClock clock = new CloudRuntimeTest.VirtualClock();
        InMemoryCompute nova = new InMemoryCompute(clock);
        nova.quota(-1, 4, -1);
        Server a = nova.addForeign("os-t-a", "2", ours("os-t-a"));
        nova.addForeign("os-t-b", "2", ours("os-t-b"));
        CloudRuntime rt = new CloudRuntime("os", "ctl", s -> nova, clock, clock::sleep);
        rt.setRequestsPerSecond(10_000);
        rt.connect(SETTINGS);

        rt.release("os-t-a", "t", a.id(), "2", "agent removed");
        assertEquals("the ledger's cores, as Nova's", nova.limits().usedCores(), cores(rt));

        Quota medium = Quota.of(rt.snapshots().flavor("2"));
        int started = 0;
        for (int second = 0; second < 300 && started < 2; second++) {
            Planner.Plan plan = rt.plan(new Planner.Request("t", medium, 2 - started, 0), 0,
                    () -> "os-t-new-" + clock.instant().toEpochMilli());
            for (String name : plan.reserved()) {
                rt.create(name, new ServerRequest(name, "2", "img-1", List.of(), null, List.of(), null, "",
                        ours(name)));
                started++;
            }
            if (rt.cleanupDue(Duration.ofSeconds(10))) {
                Map<String, String> agents = new HashMap<>();
                for (Ledger.Entry e : rt.ledger().entries(e -> e.name().startsWith("os-t-new"))) {
                    agents.put(e.name(), e.serverId());
                }
                rt.janitor().pass(agents, t -> null); // os-t-b has no agent: deleted on the second pass
                assertEquals("the ledger's cores, as Nova's, after a pass", nova.limits().usedCores(), cores(rt));
            }
            clock.sleep(Duration.ofSeconds(1));
        }
        assertEquals(2, started);
        assertEquals("Nova refused nothing", 0, nova.refusedCreates());
        assertEquals(4, cores(rt));
    }

    private static int cores(CloudRuntime rt) {
        int n = 0;
        for (Ledger.Entry e : rt.ledger().entries()) {
            n += e.resources().cores();
        }
        return n;
    }
}
