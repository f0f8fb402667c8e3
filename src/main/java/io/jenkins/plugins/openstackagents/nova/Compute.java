package io.jenkins.plugins.openstackagents.nova;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the plugin asks of an OpenStack cloud, in the plugin's own types.
 *
 * <p>Implementations translate every failure into a {@link ComputeException} of one of a few {@link
 * ComputeException.Kind kinds}; no caller ever sees a client library type or matches an error string.
 * Implementations are safe for use from several threads.
 */
public interface Compute {

    /** Asks Nova for a server and returns once Nova has accepted it (HTTP 202): the server is then in BUILD. */
    Server create(ServerRequest request) throws ComputeException;

    /** The server's current state, or empty once Nova no longer knows it (404). */
    Optional<Server> find(String serverId) throws ComputeException;

    /** Every server of the project whose metadata holds all the given entries. */
    List<Server> list(Map<String, String> metadata) throws ComputeException;

    /**
     * Asks Nova to delete a server. Returns {@code true} when Nova accepted the request, {@code false} when the
     * server was already gone. Nova still counts an accepted server against quota until {@link #find} is empty.
     */
    boolean delete(String serverId) throws ComputeException;

    /** The project's absolute compute limits and usage, as Nova counts them now. */
    Limits limits() throws ComputeException;

    List<Flavor> flavors() throws ComputeException;

    List<Image> images() throws ComputeException;

    List<Network> networks() throws ComputeException;

    /** The external networks ({@code router:external}): where floating IPs are allocated. */
    List<Network> externalNetworks() throws ComputeException;

    /** The project's security groups: what a template's security groups may name. */
    List<SecurityGroup> securityGroups() throws ComputeException;

    /** The Neutron ports of a server, one per network it is attached to; none before Nova has bound them. */
    List<Port> ports(String serverId) throws ComputeException;

    /** The project's floating IPs whose description starts with {@code descriptionPrefix} (all for ""). */
    List<FloatingIp> floatingIps(String descriptionPrefix) throws ComputeException;

    /** Asks Neutron for a floating IP on an external network and returns it, not associated with any port. */
    FloatingIp allocateFloatingIp(String networkId, String description) throws ComputeException;

    /** Associates a floating IP with a port (of a server, on a network the external one is routed to). */
    FloatingIp associateFloatingIp(String floatingIpId, String portId) throws ComputeException;

    /**
     * Releases a floating IP. Returns {@code true} when Neutron released it, {@code false} when it was already
     * gone; Neutron stops counting it against the quota at once.
     */
    boolean releaseFloatingIp(String floatingIpId) throws ComputeException;

    /** The project's floating IP and port quota and usage, as Neutron counts them now. */
    NeutronQuota neutronQuota() throws ComputeException;
}
