package io.jenkins.plugins.openstackagents.nova;

/**
 * A Neutron floating IP of the project.
 *
 * @param networkId the external network it was allocated on
 * @param portId the port it is associated with, or null while it is not
 * @param description what its creator wrote; the plugin writes its ownership there
 * @param status Neutron's status: ACTIVE, DOWN (not associated, or not yet wired) or ERROR
 */
public record FloatingIp(String id, String address, String networkId, String portId, String description,
                         String status) {
}
