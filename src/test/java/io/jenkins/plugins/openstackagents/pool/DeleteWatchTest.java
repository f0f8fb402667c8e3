package io.jenkins.plugins.openstackagents.pool;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.jenkins.plugins.openstackagents.nova.ComputeException;
import io.jenkins.plugins.openstackagents.nova.InMemoryCompute;
import io.jenkins.plugins.openstackagents.nova.ServerRequest;
import io.jenkins.plugins.openstackagents.nova.WrappedCompute;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.junit.Test;

/**
 * Deletes nobody waits for are watched until Nova has dropped the server, so its quota is free within seconds: a
 * delete that could not be sent goes out when requests may leave again, and a delete the cleanup sent again is
 * watched like the first one. The background runs here when the test says, on the virtual clock.
 */
public class DeleteWatchTest {

    private final CloudRuntimeTest.VirtualClock clock = new CloudRuntimeTest.VirtualClock();
    private final InMemoryCompute nova = new InMemoryCompute(clock);
    private final List<Instant> deletes = new ArrayList<>();
    private final Deque<Runnable> background = new ArrayDeque<>();
    private final CloudRuntime rt = CloudRuntimeTest.unpaced(new CloudRuntime("os", "ctl", s -> new DeleteTimes(),
            clock, clock::sleep, background::add, () -> false));

    /** The in-memory Nova, noting when each delete request arrives. */
    private final class DeleteTimes extends WrappedCompute {
        DeleteTimes() {
            super(nova);
        }

        @Override
        protected void before(InMemoryCompute.Op op) {
            if (op == InMemoryCompute.Op.DELETE) {
                deletes.add(clock.instant());
            }
        }
    }

    private String running() throws Exception {
        Planner.Plan p = rt.plan(new Planner.Request("t", new Quota(1, 1, 512), 1, 0), 0, () -> "os-t-1");
        String name = p.reserved().get(0);
        TestLaunch.launch(rt, name, new ServerRequest(name, "1", "img-1", List.of(), null, List.of(), null, "",
                new Ownership("ctl", "os", "t", name).toMetadata()), Duration.ofMinutes(10));
        return name;
    }

    private void runBackground() {
        while (!background.isEmpty()) {
            background.poll().run();
        }
    }

    /** Two cleanup passes at once (Hudson's AsyncPeriodicWork can start two) remove one agent: one delete. */
    @Test
    public void aServerReleasedTwiceIsDeletedOnce() throws Exception {
        String name = running();
        rt.release(name, "single-use agent finished job #1");
        rt.release(name, "single-use agent finished job #1");
        runBackground();
        assertEquals("delete requests", 1, deletes.size());
        assertEquals("one removal shown", 1, rt.removals().size());
        assertTrue("gone from the ledger", rt.ledger().get(name).isEmpty());
    }

    @Test
    public void aDeleteRefusedWhileRequestsArePausedGoesOutWhenThePauseEnds() throws Exception {
        String name = running();
        nova.failNext(InMemoryCompute.Op.DELETE, new ComputeException(ComputeException.Kind.TRANSIENT,
                "Nova answered 503 to DELETE"));
        rt.release(name, "idle");
        assertEquals("the first delete failed and paused requests", 1, deletes.size());
        assertTrue(rt.pauseReason(), rt.pauseReason() != null);
        Instant failed = clock.instant();

        runBackground();
        assertEquals("sent again", 2, deletes.size());
        Duration waited = Duration.between(failed, deletes.get(1));
        // the first pause after a failure is 2 s, jittered by half: at most 3 s, and the watch adds 0.1 s
        assertTrue("sent again when the pause ended, not on a later cleanup pass: " + waited,
                waited.compareTo(Duration.ofMillis(3100)) <= 0);
        assertTrue("watched until Nova dropped it", rt.ledger().get(name).isEmpty());
        Duration gone = Duration.between(deletes.get(1), clock.instant());
        assertTrue("gone from the ledger " + gone + " after the delete", gone.compareTo(Duration.ofSeconds(2)) <= 0);
    }

    @Test
    public void aDeleteTheCleanupSendsAgainIsWatchedUntilGone() throws Exception {
        String name = running();
        nova.failNext(InMemoryCompute.Op.DELETE, new ComputeException(ComputeException.Kind.TRANSIENT,
                "Nova answered 503 to DELETE"));
        rt.release(name, "idle");
        background.clear(); // the watch of the failed delete ended (say, Jenkins restarted): the cleanup retries
        clock.sleep(Duration.ofMinutes(1));
        rt.janitor().pass(Map.of(name, rt.ledger().get(name).get().serverId()), t -> null);
        assertEquals("the cleanup sent the delete again", 2, deletes.size());
        assertTrue("still counted until Nova drops it", rt.ledger().get(name).isPresent());

        runBackground();
        assertTrue("watched until Nova dropped it, not until the next pass", rt.ledger().get(name).isEmpty());
        Duration gone = Duration.between(deletes.get(1), clock.instant());
        assertTrue("gone from the ledger " + gone + " after the delete", gone.compareTo(Duration.ofSeconds(2)) <= 0);
    }
}
