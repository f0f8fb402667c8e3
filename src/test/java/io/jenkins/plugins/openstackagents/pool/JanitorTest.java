package io.jenkins.plugins.openstackagents.pool;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.jenkins.plugins.openstackagents.nova.ComputeException;
import io.jenkins.plugins.openstackagents.nova.InMemoryCompute;
import io.jenkins.plugins.openstackagents.nova.Server;
import io.jenkins.plugins.openstackagents.nova.ServerRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.Test;

/** Each cleanup reason leads to exactly one deletion; what is not ours is never touched. */
public class JanitorTest {

    private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(10);

    private final CloudRuntimeTest.VirtualClock clock = new CloudRuntimeTest.VirtualClock();
    private final InMemoryCompute nova = new InMemoryCompute(clock);
    private CloudRuntime rt = runtime();

    private CloudRuntime runtime() {
        return CloudRuntimeTest.unpaced(new CloudRuntime("os", "ctl", s -> nova, clock, clock::sleep));
    }

    private Optional<Set<String>> pass(Set<String> agents) {
        return rt.janitor().pass(withServers(agents), t -> BOOT_TIMEOUT)
                .map(r -> Set.copyOf(r.listing().byId().keySet()));
    }

    /** The agents Jenkins would have: each with its server's id as the ledger knows it. */
    private Map<String, String> withServers(Set<String> agents) {
        Map<String, String> m = new java.util.HashMap<>();
        for (String a : agents) {
            m.put(a, rt.ledger().get(a).map(Ledger.Entry::serverId).orElse(null));
        }
        return m;
    }

    /** Reserves and creates a server of ours without waiting for it (as if its launch had died). */
    private Server create(String name) throws ComputeException {
        rt.ledger().reserve(name, "t", new Quota(1, 1, 512), clock.instant());
        return rt.create(name, new ServerRequest(name, "1", "img-1", List.of(), null, List.of(), null, "",
                new Ownership("ctl", "os", "t", name).toMetadata()));
    }

    private void settle() {
        clock.sleep(Duration.ofSeconds(1));
    }

    @Test
    public void errorServerIsDeletedOnce() throws Exception {
        nova.quota(0, -1, -1).lateQuotaFailures(true);
        create("os-t-err");
        settle();
        pass(Set.of());
        pass(Set.of());
        assertEquals(1, nova.calls(InMemoryCompute.Op.DELETE));
        settle();
        pass(Set.of());
        assertTrue(nova.servers().isEmpty());
        assertTrue(rt.ledger().entries().isEmpty());
    }

    @Test
    public void serverPastItsBootTimeoutIsDeletedOnceButNotWhileItsLaunchWatchesIt() throws Exception {
        nova.bootTime(Duration.ofHours(1));
        create("os-t-slow");
        clock.sleep(Duration.ofMinutes(11));
        rt.ledger().launchStarted("os-t-slow", Ledger.Launch.PROVISIONER);
        rt.janitor().pass(Map.of(), t -> BOOT_TIMEOUT);
        rt.ledger().launchEnded("os-t-slow");
        assertEquals(0, nova.calls(InMemoryCompute.Op.DELETE));
        pass(Set.of("os-t-slow"));
        pass(Set.of("os-t-slow"));
        assertEquals(1, nova.calls(InMemoryCompute.Op.DELETE));
        assertEquals("boot timeout 10 min exceeded", rt.ledger().get("os-t-slow").get().reason());
    }

    @Test
    public void leakedServerIsDeletedOnTheSecondPassAndOthersAreNeverTouched() throws Exception {
        Server leaked = nova.addForeign("os-t-leak", "1", new Ownership("ctl", "os", "t", "os-t-leak").toMetadata());
        nova.addForeign("other-jenkins", "1", new Ownership("someone-else", "os", "t", "other-jenkins").toMetadata());
        nova.addForeign("other-cloud", "1", new Ownership("ctl", "other", "t", "other-cloud").toMetadata());
        nova.addForeign("not-ours", "1", Map.of());
        Server kept = create("os-t-busy");
        settle();
        pass(Set.of("os-t-busy"));
        assertEquals("first sighting: not yet", 0, nova.calls(InMemoryCompute.Op.DELETE));
        pass(Set.of("os-t-busy"));
        assertEquals(1, nova.calls(InMemoryCompute.Op.DELETE));
        for (int i = 0; i < 3; i++) {
            settle();
            pass(Set.of("os-t-busy"));
        }
        assertEquals(1, nova.calls(InMemoryCompute.Op.DELETE));
        List<String> left = nova.servers().stream().map(Server::name).sorted().toList();
        assertEquals(List.of("not-ours", "os-t-busy", "other-cloud", "other-jenkins"), left);
        assertTrue(nova.find(kept.id()).isPresent());
        assertFalse(nova.find(leaked.id()).isPresent());
    }

    @Test
    public void serverThatFailsToDeleteTwiceIsDeletedOnTheThirdTryAndCountedUntilThen() throws Exception {
        create("os-t-stubborn");
        settle();
        ComputeException busy = new ComputeException(ComputeException.Kind.TRANSIENT, "Nova answered 503");
        nova.failNext(InMemoryCompute.Op.DELETE, busy).failNext(InMemoryCompute.Op.DELETE, busy);
        rt.release("os-t-stubborn", "used");
        for (int i = 0; i < 2; i++) {
            assertEquals(1, rt.ledger().count(e -> e.name().equals("os-t-stubborn")));
            clock.sleep(Duration.ofMinutes(1)); // past the pause after the 503
            pass(Set.of());
        }
        assertEquals(3, nova.calls(InMemoryCompute.Op.DELETE));
        assertTrue("counted until Nova drops it", rt.ledger().get("os-t-stubborn").isPresent());
        settle();
        pass(Set.of());
        assertFalse(rt.ledger().get("os-t-stubborn").isPresent());
        assertEquals(3, nova.calls(InMemoryCompute.Op.DELETE));
    }

    @Test
    public void passReportsWhatNovaHasSoVanishedAgentsCanGo() throws Exception {
        Server s = create("os-t-a");
        settle();
        assertEquals(Optional.of(Set.of(s.id())), pass(Set.of("os-t-a")));
        nova.failNext(InMemoryCompute.Op.LIST, new ComputeException(ComputeException.Kind.TRANSIENT, "503"));
        clock.sleep(Duration.ofMinutes(1));
        assertEquals("Nova not asked: nothing may be concluded", Optional.empty(), pass(Set.of("os-t-a")));
        assertEquals("one list call per pass, nothing else", 2, nova.calls(InMemoryCompute.Op.LIST));
        assertEquals(0, nova.calls(InMemoryCompute.Op.DELETE));
    }

    @Test
    public void restartWithServersInEveryStateLeavesNoLeakAfterTwoPasses() throws Exception {
        nova.bootTime(Duration.ofSeconds(1)).deleteTime(Duration.ofSeconds(5));
        create("os-t-running");        // has its agent
        create("os-t-orphan");         // its agent is gone (e.g. removed while Jenkins was down)
        create("os-t-deleting");
        settle();
        rt.release("os-t-deleting", "used");
        nova.bootTime(Duration.ofHours(1));
        create("os-t-booting");        // stuck in BUILD
        nova.quota(4, -1, -1).lateQuotaFailures(true);
        create("os-t-failed");         // ERROR 413
        settle();
        // Jenkins restarts: a new runtime for the same controller, whose ledger is rebuilt from Nova
        rt = runtime();
        rt.reconcile();
        clock.sleep(Duration.ofMinutes(11));
        pass(Set.of("os-t-running"));
        clock.sleep(Duration.ofSeconds(30));
        pass(Set.of("os-t-running"));
        clock.sleep(Duration.ofSeconds(30));
        pass(Set.of("os-t-running"));
        List<String> left = nova.servers().stream().map(Server::name).toList();
        assertEquals(List.of("os-t-running"), left);
        assertEquals(List.of("os-t-running"), rt.ledger().entries().stream().map(Ledger.Entry::name).toList());
    }
}
