package io.jenkins.plugins.openstackagents.pool;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.jenkins.plugins.openstackagents.nova.ComputeException;
import io.jenkins.plugins.openstackagents.nova.InMemoryCompute;
import io.jenkins.plugins.openstackagents.nova.Network;
import io.jenkins.plugins.openstackagents.nova.Server;
import io.jenkins.plugins.openstackagents.nova.ServerRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.Test;

/**
 * Neutron's port quota: each server takes one port per network of its template; the planner never asks Nova for a
 * server whose ports do not fit, counts the ports of servers Neutron's figure may not include yet, and gives a gone
 * server's ports back before Neutron is read again. Nova's refusal for ports pauses creates like its quota refusal.
 */
public class PortQuotaTest {

    private static final Quota SMALL = new Quota(1, 1, 512);
    private static final List<String> TWO_NETWORKS = List.of("net-1", "net-2");

    private final CloudRuntimeTest.VirtualClock clock = new CloudRuntimeTest.VirtualClock();
    private final InMemoryCompute nova = new InMemoryCompute(clock).addNetwork(new Network("net-2", "second"));
    private final CloudRuntime rt = CloudRuntimeTest.unpaced(new CloudRuntime("os", "ctl", s -> nova, clock,
            clock::sleep));
    private final AtomicInteger names = new AtomicInteger();

    private Planner.Plan plan(int wanted, int ports) throws ComputeException {
        return rt.plan(new Planner.Request("t", SMALL, wanted, 0, false, ports), 0,
                () -> "os-t-" + names.incrementAndGet());
    }

    private Server create(String name) throws ComputeException {
        return rt.create(name, new ServerRequest(name, "1", "img-1", TWO_NETWORKS, null, List.of(), null, "",
                new Ownership("ctl", "os", "t", name).toMetadata()));
    }

    private Server boot(String name) throws Exception {
        return rt.awaitActive(name, create(name), Duration.ofMinutes(10), null);
    }

    /** Past the limits interval: the next plan reads Nova's limits and Neutron's quota again. */
    private void nextRead() {
        clock.sleep(Duration.ofMinutes(2));
    }

    @Test
    public void theirPortsBoundThePlanAndAGoneServerGivesThemBack() throws Exception {
        nova.quota(10, -1, -1).neutronQuota(-1, 8).addForeignPorts(1); // a router's interface
        Planner.Plan p = plan(5, 2);
        assertEquals("8 ports, 1 a router's: room for 3 servers of 2 networks", 3, p.reserved().size());
        assertEquals(Planner.Bound.QUOTA, p.bound());
        for (String name : p.reserved()) {
            boot(name);
        }
        nextRead();
        assertTrue("none while their 6 ports are held", plan(1, 2).isEmpty());
        assertEquals("a template on one network fits in the last port", 1, plan(3, 1).reserved().size());

        String first = p.reserved().get(0);
        clock.sleep(Duration.ofSeconds(1)); // its delete starts after Neutron answered the read
        rt.release(first, "done");
        assertTrue(rt.awaitGone(first, Duration.ofMinutes(5), () -> false));
        assertEquals("its 2 ports are free before Neutron is read again", 1, plan(3, 2).reserved().size());
        assertEquals("no create was refused for its ports", 0, nova.refusedForPorts());
        assertEquals("Neutron's quota is read with Nova's limits, not per plan", nova.calls(InMemoryCompute.Op.LIMITS),
                nova.calls(InMemoryCompute.Op.NEUTRON_QUOTA));
    }

    @Test
    public void portsNeutronDoesNotCountYetAreCountedByThePlugin() throws Exception {
        nova.quota(10, -1, -1).neutronQuota(-1, 4).bootTime(Duration.ofMinutes(5));
        String first = plan(1, 2).reserved().get(0);
        create(first); // BUILD: Nova will make its 2 ports; Neutron's figure counts none yet
        nextRead();
        Planner.Plan p = plan(3, 2);
        assertEquals("Neutron read 0 of 4 ports used, but the building server takes 2", 1, p.reserved().size());
        boot(p.reserved().get(0));
        assertEquals("no create was refused for its ports", 0, nova.refusedForPorts());
    }

    @Test
    public void novasRefusalForPortsPausesCreatesLikeItsQuotaRefusal() throws Exception {
        nova.quota(10, -1, -1).neutronQuota(-1, 3);
        String name = plan(1, 2).reserved().get(0);
        nova.addForeignPorts(2); // someone took 2 ports between the read and the create
        try {
            create(name);
            fail("Nova had no room for the ports");
        } catch (ComputeException e) {
            assertTrue(e.toString(), e.is(ComputeException.Kind.QUOTA_EXCEEDED));
        }
        String why = rt.pauseReason();
        assertNotNull("creates paused", why);
        assertTrue(why, why.contains("Maximum number of ports exceeded"));
        assertEquals("nothing planned while paused", null, rt.prepare());
    }
}
