package io.jenkins.plugins.openstackagents.nova;

/** A Nova flavor: what one server of it takes from the quota. */
public record Flavor(String id, String name, int vcpus, int ramMb, int diskGb) {
}
