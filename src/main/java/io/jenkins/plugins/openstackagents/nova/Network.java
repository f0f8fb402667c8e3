package io.jenkins.plugins.openstackagents.nova;

/** A Neutron network the project can attach servers to. */
public record Network(String id, String name) {
}
