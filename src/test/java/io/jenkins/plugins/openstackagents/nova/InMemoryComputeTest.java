package io.jenkins.plugins.openstackagents.nova;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.jenkins.plugins.openstackagents.nova.InMemoryCompute.Op;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.Test;

/** The Neutron of {@link InMemoryCompute}: ports of its servers, floating IPs and their quota. */
public class InMemoryComputeTest {

    private final InMemoryCompute cloud = new InMemoryCompute()
            .bootTime(Duration.ofHours(1)).deleteTime(Duration.ZERO);

    @Test
    public void aServerHasOnePortOnItsNetworkOnceActiveAndNoneOnceGone() throws Exception {
        cloud.addNetwork(new Network("net-2", "second"));
        ComputeException unknown = assertThrows(ComputeException.class, () -> cloud.create(request("agent-0", "net-9")));
        assertTrue("Nova refuses a network it does not have: " + unknown, unknown.is(ComputeException.Kind.BAD_REQUEST));
        Server building = cloud.create(request("agent-1", "net-2"));
        assertEquals("no port while it builds", List.of(), cloud.ports(building.id()));

        cloud.bootTime(Duration.ZERO);
        Server active = cloud.create(request("agent-2", "net-2"));
        Server defaulted = cloud.create(request("agent-3", null));

        Port port = cloud.ports(active.id()).get(0);
        assertEquals(List.of(new Port(port.id(), "net-2", cloud.find(active.id()).orElseThrow().address(), active.id(),
                "ACTIVE")), cloud.ports(active.id()));
        assertEquals("net-1", cloud.ports(defaulted.id()).get(0).networkId());
        cloud.delete(active.id());
        assertEquals(List.of(), cloud.ports(active.id()));
        assertEquals(5, cloud.calls(Op.PORTS));
    }

    @Test
    public void floatingIpsOverTheQuotaAreRefusedAsNeutronDoes() throws Exception {
        cloud.neutronQuota(2, -1);
        cloud.addForeignFloatingIp("made by hand");
        cloud.allocateFloatingIp("ext-1", "ours 1");

        ComputeException e = assertThrows(ComputeException.class, () -> cloud.allocateFloatingIp("ext-1", "ours 2"));

        assertEquals(ComputeException.Kind.QUOTA_EXCEEDED, e.getKind());
        assertEquals("Quota exceeded for resources: ['floatingip'].", e.getMessage());
        assertEquals(1, cloud.refusedFloatingIps());
        assertEquals(new NeutronQuota.Usage(2, 2), cloud.neutronQuota().floatingIps());
        assertEquals(2, cloud.calls(Op.ALLOCATE_FLOATING_IP));
    }

    @Test
    public void aFloatingIpOutlivesTheServerOfItsPortUntilReleased() throws Exception {
        cloud.bootTime(Duration.ZERO);
        Server s = cloud.create(request("agent-1", null));
        Port port = cloud.ports(s.id()).get(0);
        FloatingIp f = cloud.allocateFloatingIp("ext-1", "ours agent-1");
        assertNull(f.portId());
        assertTrue(f.address().startsWith("127.20."));

        FloatingIp associated = cloud.associateFloatingIp(f.id(), port.id());
        assertEquals(port.id(), associated.portId());
        assertEquals("ACTIVE", associated.status());
        assertEquals(new NeutronQuota(new NeutronQuota.Usage(-1, 1), new NeutronQuota.Usage(-1, 1)),
                cloud.neutronQuota());

        cloud.delete(s.id());
        FloatingIp leaked = cloud.floatingIps("ours ").get(0);
        assertNull("Neutron disassociates it when the port goes", leaked.portId());
        assertEquals("DOWN", leaked.status());

        assertTrue(cloud.releaseFloatingIp(f.id()));
        assertFalse(cloud.releaseFloatingIp(f.id()));
        assertEquals(List.of(), cloud.allFloatingIps());
    }

    @Test
    public void floatingIpsAreListedByDescriptionPrefix() throws Exception {
        FloatingIp ours = cloud.allocateFloatingIp("ext-1", "ours agent-1");
        FloatingIp other = cloud.addForeignFloatingIp("theirs agent-1");

        assertEquals(List.of(ours), cloud.floatingIps("ours "));
        assertEquals(List.of(ours, other), cloud.floatingIps(""));
    }

    @Test
    public void anInternalNetworkIsABadRequestAnUnknownNetworkOrPortNotFound() throws Exception {
        FloatingIp f = cloud.allocateFloatingIp("ext-1", "ours");

        assertEquals(ComputeException.Kind.BAD_REQUEST, assertThrows(ComputeException.class,
                () -> cloud.allocateFloatingIp("net-1", "ours")).getKind());
        assertEquals(ComputeException.Kind.NOT_FOUND, assertThrows(ComputeException.class,
                () -> cloud.allocateFloatingIp("ext-9", "ours")).getKind());
        assertEquals(ComputeException.Kind.NOT_FOUND, assertThrows(ComputeException.class,
                () -> cloud.associateFloatingIp(f.id(), "no-such-port")).getKind());
        assertEquals(List.of(new Network("ext-1", "public")), cloud.externalNetworks());
    }

    private static ServerRequest request(String name, String networkId) {
        return new ServerRequest(name, "1", "img-1", networkId == null ? List.of() : List.of(networkId), null, List.of(), null, null, Map.of());
    }
}
