package io.jenkins.plugins.openstackagents.nova;

import java.util.List;
import java.util.Map;

/**
 * What to boot. {@code networkIds}: the networks the server gets a port on, in order (empty: Nova's default);
 * {@code keyName} and {@code availabilityZone} may be null (Nova's default); {@code userData} is the plain text (not
 * base64) the server's cloud-init runs.
 */
public record ServerRequest(
        String name,
        String flavorId,
        String imageId,
        List<String> networkIds,
        String keyName,
        List<String> securityGroups,
        String availabilityZone,
        String userData,
        Map<String, String> metadata) {

    public ServerRequest {
        networkIds = List.copyOf(networkIds);
        securityGroups = List.copyOf(securityGroups);
        metadata = Map.copyOf(metadata);
    }

    /** User data carries the agent's inbound secret: never print it. */
    @Override
    public String toString() {
        return "ServerRequest[name=" + name + ", flavor=" + flavorId + ", image=" + imageId + ", networks="
                + networkIds + ", metadata=" + metadata + "]";
    }
}
