package io.jenkins.plugins.openstackagents.nova;

/** Makes an {@link Openstack4jCompute}; it asks Keystone for a token on its first call, not here. */
public final class Openstack4jComputeFactory implements ComputeFactory {

    public Openstack4jComputeFactory() {
    }

    @Override
    public Compute connect(ConnectionSettings settings) {
        return new Openstack4jCompute(settings);
    }
}
