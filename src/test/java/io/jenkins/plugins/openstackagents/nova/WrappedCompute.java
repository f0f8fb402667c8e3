package io.jenkins.plugins.openstackagents.nova;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A cloud that passes every request on to another, after {@link #before} has seen it (to note, delay or fail it). */
public class WrappedCompute implements Compute {

    private final Compute inner;

    public WrappedCompute(Compute inner) {
        this.inner = inner;
    }

    /** Called before each request is passed on. */
    protected void before(InMemoryCompute.Op op) throws ComputeException {
    }

    @Override
    public Server create(ServerRequest request) throws ComputeException {
        before(InMemoryCompute.Op.CREATE);
        return inner.create(request);
    }

    @Override
    public Optional<Server> find(String serverId) throws ComputeException {
        before(InMemoryCompute.Op.FIND);
        return inner.find(serverId);
    }

    @Override
    public List<Server> list(Map<String, String> metadata) throws ComputeException {
        before(InMemoryCompute.Op.LIST);
        return inner.list(metadata);
    }

    @Override
    public boolean delete(String serverId) throws ComputeException {
        before(InMemoryCompute.Op.DELETE);
        return inner.delete(serverId);
    }

    @Override
    public Limits limits() throws ComputeException {
        before(InMemoryCompute.Op.LIMITS);
        return inner.limits();
    }

    @Override
    public List<Flavor> flavors() throws ComputeException {
        before(InMemoryCompute.Op.FLAVORS);
        return inner.flavors();
    }

    @Override
    public List<Image> images() throws ComputeException {
        before(InMemoryCompute.Op.IMAGES);
        return inner.images();
    }

    @Override
    public List<Network> networks() throws ComputeException {
        before(InMemoryCompute.Op.NETWORKS);
        return inner.networks();
    }

    @Override
    public List<Network> externalNetworks() throws ComputeException {
        before(InMemoryCompute.Op.EXTERNAL_NETWORKS);
        return inner.externalNetworks();
    }

    @Override
    public List<SecurityGroup> securityGroups() throws ComputeException {
        before(InMemoryCompute.Op.SECURITY_GROUPS);
        return inner.securityGroups();
    }

    @Override
    public List<Port> ports(String serverId) throws ComputeException {
        before(InMemoryCompute.Op.PORTS);
        return inner.ports(serverId);
    }

    @Override
    public List<FloatingIp> floatingIps(String descriptionPrefix) throws ComputeException {
        before(InMemoryCompute.Op.FLOATING_IPS);
        return inner.floatingIps(descriptionPrefix);
    }

    @Override
    public FloatingIp allocateFloatingIp(String networkId, String description) throws ComputeException {
        before(InMemoryCompute.Op.ALLOCATE_FLOATING_IP);
        return inner.allocateFloatingIp(networkId, description);
    }

    @Override
    public FloatingIp associateFloatingIp(String floatingIpId, String portId) throws ComputeException {
        before(InMemoryCompute.Op.ASSOCIATE_FLOATING_IP);
        return inner.associateFloatingIp(floatingIpId, portId);
    }

    @Override
    public boolean releaseFloatingIp(String floatingIpId) throws ComputeException {
        before(InMemoryCompute.Op.RELEASE_FLOATING_IP);
        return inner.releaseFloatingIp(floatingIpId);
    }

    @Override
    public NeutronQuota neutronQuota() throws ComputeException {
        before(InMemoryCompute.Op.NEUTRON_QUOTA);
        return inner.neutronQuota();
    }
}
