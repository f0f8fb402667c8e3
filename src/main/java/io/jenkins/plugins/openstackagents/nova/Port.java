package io.jenkins.plugins.openstackagents.nova;

/**
 * A Neutron port of a server: where the server is attached to one network.
 *
 * @param address the port's first fixed IPv4 address, or null when it has none
 * @param serverId the server it belongs to (Neutron's {@code device_id})
 * @param status Neutron's status: DOWN until the port is bound and wired, then ACTIVE
 */
public record Port(String id, String networkId, String address, String serverId, String status) {
}
