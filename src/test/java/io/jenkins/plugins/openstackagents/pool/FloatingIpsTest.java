package io.jenkins.plugins.openstackagents.pool;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.jenkins.plugins.openstackagents.nova.ComputeException;
import io.jenkins.plugins.openstackagents.nova.FloatingIp;
import io.jenkins.plugins.openstackagents.nova.InMemoryCompute;
import io.jenkins.plugins.openstackagents.nova.Network;
import io.jenkins.plugins.openstackagents.nova.Port;
import io.jenkins.plugins.openstackagents.nova.Server;
import io.jenkins.plugins.openstackagents.nova.ServerRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.Test;

/**
 * Floating IPs: one per server of a template with a pool, associated with its first network's port, released with
 * the server; Neutron's quota bounds the plan; a leaked one is released on the second pass that sees it, another's
 * never.
 */
public class FloatingIpsTest {

    private static final Quota SMALL = new Quota(1, 1, 512);

    private final CloudRuntimeTest.VirtualClock clock = new CloudRuntimeTest.VirtualClock();
    private final InMemoryCompute nova = new InMemoryCompute(clock).addNetwork(new Network("net-2", "second"));
    private final CloudRuntime rt = runtime();
    private final AtomicInteger names = new AtomicInteger();

    private CloudRuntime runtime() {
        CloudRuntime r = CloudRuntimeTest.unpaced(new CloudRuntime("os", "ctl", s -> nova, clock, clock::sleep));
        r.setFloatingIpsWanted(true);
        return r;
    }

    private Planner.Plan plan(int wanted, boolean floatingIp) throws ComputeException {
        return rt.plan(new Planner.Request("t", SMALL, wanted, 0, floatingIp, 0), 0,
                () -> "os-t-" + names.incrementAndGet());
    }

    /** Creates the reserved server on two networks and waits until it is ACTIVE. */
    private Server boot(String name) throws Exception {
        return TestLaunch.launch(rt, name, new ServerRequest(name, "1", "img-1", List.of("net-1", "net-2"), null,
                List.of(), null, "", owner(name).toMetadata()), Duration.ofMinutes(10));
    }

    private static Ownership owner(String name) {
        return new Ownership("ctl", "os", "t", name);
    }

    private FloatingIp attach(String name, Server s) throws Exception {
        return rt.attachFloatingIp(owner(name), s.id(), "ext-1", "net-1", Duration.ofMinutes(1));
    }

    private void pass(Set<String> agents) {
        Map<String, String> m = new java.util.HashMap<>();
        for (String a : agents) {
            m.put(a, rt.ledger().get(a).map(Ledger.Entry::serverId).orElse(null));
        }
        assertTrue("the pass ran", rt.janitor().pass(m, t -> Duration.ofMinutes(10)).isPresent());
        clock.sleep(Duration.ofSeconds(31)); // the next pass lists again
    }

    @Test
    public void aServerOnTwoNetworksGetsAFloatingIpOnItsFirstNetworksPortReleasedWithIt() throws Exception {
        String name = plan(1, true).reserved().get(0);
        Server s = boot(name);
        List<Port> ports = nova.ports(s.id());
        assertEquals(List.of("net-1", "net-2"), ports.stream().map(Port::networkId).toList());

        FloatingIp f = attach(name, s);
        assertEquals("associated with the port on the first network", ports.get(0).id(), f.portId());
        assertTrue(f.address(), f.address().startsWith("127.20."));
        assertEquals(owner(name).toDescription(), nova.allFloatingIps().get(0).description());
        assertEquals(f.address(), rt.floatingAddressOf(name).orElseThrow());

        rt.release(name, "done");
        assertTrue("released with its server: " + nova.allFloatingIps(), nova.allFloatingIps().isEmpty());
        assertEquals(1, nova.calls(InMemoryCompute.Op.ALLOCATE_FLOATING_IP));
        assertEquals(1, nova.calls(InMemoryCompute.Op.RELEASE_FLOATING_IP));
        assertFalse(rt.floatingAddressOf(name).isPresent());
        clock.sleep(Duration.ofSeconds(5));
        assertFalse("the server is gone", nova.find(s.id()).isPresent());
        assertTrue("no port left: " + nova.allPorts(), nova.allPorts().isEmpty());
    }

    @Test
    public void neutronsFloatingIpQuotaBoundsThePlanAndARelease() throws Exception {
        nova.quota(10, -1, -1).neutronQuota(2, -1);
        nova.addForeignFloatingIp("a person's");
        Planner.Plan p = plan(3, true);
        assertEquals("2 floating IPs, one of them a person's: room for 1", 1, p.reserved().size());
        assertEquals(Planner.Bound.QUOTA, p.bound());
        assertEquals("a template without a pool is not bound by it", 3, plan(3, false).reserved().size());
        assertTrue(plan(1, true).isEmpty());

        String name = p.reserved().get(0);
        attach(name, boot(name));
        assertTrue("still none while its floating IP is held", plan(1, true).isEmpty());
        rt.release(name, "done");
        assertEquals("its release frees one before Neutron is read again", 1, plan(1, true).reserved().size());
        assertEquals(0, nova.refusedFloatingIps());
        assertEquals("Neutron's quota read with Nova's limits, not per plan", nova.calls(InMemoryCompute.Op.LIMITS),
                nova.calls(InMemoryCompute.Op.NEUTRON_QUOTA));
    }

    @Test
    public void neutronsOverQuotaPausesCreatesLikeNovasAndLeavesNothing() throws Exception {
        nova.neutronQuota(1, -1);
        String name = plan(1, true).reserved().get(0);
        Server s = boot(name);
        nova.addForeignFloatingIp("taken by someone between the read and the allocation");
        try {
            attach(name, s);
            fail("Neutron had no room");
        } catch (ComputeException e) {
            assertTrue(e.toString(), e.is(ComputeException.Kind.QUOTA_EXCEEDED));
        }
        assertEquals(1, nova.refusedFloatingIps());
        String why = rt.pauseReason();
        assertNotNull("creates paused", why);
        assertTrue(why, why.contains("Quota exceeded"));
        assertNull("nothing planned while paused", rt.prepare());
        assertEquals("no floating IP of ours", 1, nova.allFloatingIps().size());
    }

    @Test
    public void aLeakedFloatingIpIsReleasedOnTheSecondPassAndNoOneElsesEver() throws Exception {
        String live = plan(1, true).reserved().get(0);
        attach(live, boot(live));
        FloatingIp leaked = nova.allocateFloatingIp("ext-1", owner("os-t-crashed").toDescription());
        nova.addForeignFloatingIp("made by hand");
        nova.addForeignFloatingIp(null);
        nova.allocateFloatingIp("ext-1", new Ownership("ctl-b", "os", "t", "os-t-1").toDescription());
        nova.allocateFloatingIp("ext-1", new Ownership("ctl", "os2", "t", "os2-t-1").toDescription());
        nova.allocateFloatingIp("ext-1", "openstack-agents controller=ctl cloud=os template=t"); // malformed

        pass(Set.of(live));
        assertEquals("nothing released on the first pass", 0, nova.calls(InMemoryCompute.Op.RELEASE_FLOATING_IP));
        pass(Set.of(live));
        assertEquals(1, nova.calls(InMemoryCompute.Op.RELEASE_FLOATING_IP));
        assertFalse(nova.allFloatingIps().stream().anyMatch(f -> f.id().equals(leaked.id())));
        assertEquals("the live agent's, a person's two, another controller's, another cloud's, the malformed one",
                6, nova.allFloatingIps().size());
        pass(Set.of(live));
        assertEquals(1, nova.calls(InMemoryCompute.Op.RELEASE_FLOATING_IP));
    }

    @Test
    public void aFloatingIpItsLaunchIsAttachingIsKept() throws Exception {
        String name = plan(1, true).reserved().get(0);
        boot(name);
        rt.ledger().launchStarted(name, Ledger.Launch.PROVISIONER);
        nova.allocateFloatingIp("ext-1", owner(name).toDescription()); // allocated, not associated yet
        pass(Set.of(name));
        pass(Set.of(name));
        assertEquals(0, nova.calls(InMemoryCompute.Op.RELEASE_FLOATING_IP));
        rt.ledger().launchEnded(name); // the launch died between the two requests
        pass(Set.of(name));
        pass(Set.of(name));
        assertEquals(1, nova.calls(InMemoryCompute.Op.RELEASE_FLOATING_IP));
        assertTrue(nova.allFloatingIps().isEmpty());
    }

    @Test
    public void afterARestartTheDeleteOfAnAgentReleasesTheFloatingIpItHad() throws Exception {
        String name = plan(1, true).reserved().get(0);
        attach(name, boot(name));
        CloudRuntime restarted = runtime();
        Map<String, String> agents = Map.of(name, nova.servers().get(0).id());
        assertTrue(restarted.janitor().pass(agents, t -> Duration.ofMinutes(10)).isPresent());
        assertTrue("the restarted runtime knows the address", restarted.floatingAddressOf(name).isPresent());
        restarted.release(name, "idle");
        assertTrue(nova.allFloatingIps().isEmpty());
    }
}
